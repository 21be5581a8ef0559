import { describe, expect, it } from 'vitest';
import { renderProcedureDocument, type ProcedureDocumentValues } from '../../src/records/procedure-document.ts';

const values: ProcedureDocumentValues = {
  inputs: {
    server: 'web-01.example.com',
    count: 3,
    dry_run: false,
    labels: { team: 'ops' },
    hosts: ['a', 'b'],
    api_token: 'hunter2-clear-value',
    already_masked: '***',
    nothing: null,
    img: '<img src=x onerror=alert(1)>',
    link: '[x](javascript:alert(1))',
    script: 'echo one\necho two',
  },
  secretInputNames: new Set(['api_token', 'unset_secret']),
};

function render(doc: string, with_: ProcedureDocumentValues = values): { markdown: string; html: string } {
  return renderProcedureDocument(doc, with_);
}

/** Substrings that mean markup or a script survived, whatever their case. */
const FORBIDDEN = ['<script', 'onerror', 'onload', 'javascript:', '<iframe', '<svg', '<style', '<form', 'vbscript:', 'data:'];

describe('renderProcedureDocument: substitution', () => {
  it('substitutes strings as they are and other values as JSON, with or without spaces inside the braces', () => {
    const { markdown, html } = render(
      'Deploy {{ inputs.server }} x{{inputs.count}} {{  inputs.dry_run  }} {{ inputs.labels }} {{ inputs.hosts }}',
    );
    expect(html).toBe('<p>Deploy web-01.example.com x3 false {"team":"ops"} ["a","b"]</p>\n');
    // Escaped in the Markdown, so that any renderer reads the same text.
    expect(markdown).toBe('Deploy web\\-01\\.example\\.com x3 false \\{\\"team\\"\\:\\"ops\\"\\} \\[\\"a\\"\\,\\"b\\"\\]');
  });

  it('follows paths into object and array values', () => {
    expect(render('{{ inputs.labels.team }} {{ inputs.hosts[1] }}').html).toBe('<p>ops b</p>\n');
  });

  it('shows *** for secret inputs without reading their value, for {{ secrets.X }}, and for values masked before', () => {
    const { markdown, html } = render(
      '{{ inputs.api_token }} {{ inputs.unset_secret }} {{ secrets.DB_PASSWORD }} {{ inputs.already_masked }}',
    );
    expect(html).toBe('<p>*** *** *** ***</p>\n');
    expect(markdown + html).not.toContain('hunter2');
  });

  it('shows *** for a path into a value that was masked as a whole', () => {
    expect(render('{{ inputs.already_masked.user }}').html).toBe('<p>***</p>\n');
  });

  it('marks an input without a value as ‹NAME› so the reader sees what is missing', () => {
    expect(render('{{ inputs.missing }}, {{ inputs.nothing }}, {{ inputs.labels.owner }}').html).toBe(
      '<p>‹missing›, ‹nothing›, ‹labels.owner›</p>\n',
    );
  });

  it('leaves task outputs, foreign and malformed placeholders as written', () => {
    const doc = 'Version {{ tasks.build.output.version }}, `docker inspect -f {{.State.Running}}`, {{ inputs }}';
    expect(render(doc).markdown).toBe(doc);
    expect(render(doc).html).toBe(
      '<p>Version {{ tasks.build.output.version }}, <code>docker inspect -f {{.State.Running}}</code>, {{ inputs }}</p>\n',
    );
  });

  it('keeps a value exactly as it is inside code spans and code blocks, line breaks included', () => {
    const { html } = render('Run `ssh {{ inputs.server }}`:\n\n```sh\n  {{ inputs.script }}\n```');
    expect(html).toBe(
      '<p>Run <code>ssh web-01.example.com</code>:</p>\n<pre><code class="language-sh">  echo one\n  echo two\n</code></pre>\n',
    );
  });

  it('puts values into link targets, bare URLs and mail addresses', () => {
    const { html } = render('[dashboard](https://{{ inputs.server }}/health) or https://{{ inputs.server }}/logs');
    expect(html).toBe(
      '<p><a href="https://web-01.example.com/health" rel="noopener noreferrer nofollow">dashboard</a> or ' +
        '<a href="https://web-01.example.com/logs" rel="noopener noreferrer nofollow">https://web-01.example.com/logs</a></p>\n',
    );
  });
});

describe('renderProcedureDocument: hostile values stay text', () => {
  it.each([
    ['running text', '{{ inputs.img }} and {{ inputs.link }}', '&lt;img src=x onerror=alert(1)&gt; and [x](javascript:alert(1))'],
    ['a heading', '# {{ inputs.img }}', '&lt;img src=x onerror=alert(1)&gt;'],
    ['a table cell', '| a |\n|---|\n| {{ inputs.img }} |', '&lt;img src=x onerror=alert(1)&gt;'],
    ['a link text', '[{{ inputs.link }}](https://example.com)', '[x](javascript:alert(1))'],
    ['a code span', '`{{ inputs.img }}`', '<code>&lt;img src=x onerror=alert(1)&gt;</code>'],
    ['a code block', '```\n{{ inputs.link }}\n```', '<code>[x](javascript:alert(1))\n</code>'],
    ['an HTML block', '<div>\n{{ inputs.img }}\n</div>', '&lt;img src=x onerror=alert(1)&gt;'],
    ['after a backslash', '\\{{ inputs.img }}', '\\&lt;img src=x onerror=alert(1)&gt;'],
  ])('in %s', (_where, doc, shown) => {
    const { html } = render(doc);
    expect(html).toContain(shown);
    expect(html).not.toMatch(/<img|href="javascript/);
  });

  it('cannot open blocks, end code spans or split table cells', () => {
    const hostile: ProcedureDocumentValues = {
      inputs: { lines: '\n\n# heading\n\n- item\n\n    code', tick: 'a`b', pipe: 'x|y', fence: 'a\n```\n<img src=x onerror=alert(1)>' },
      secretInputNames: new Set(),
    };
    expect(render('Text {{ inputs.lines }}', hostile).html).toBe('<p>Text # heading - item code</p>\n');
    // A code span has no escapes: the backtick is shown as a look-alike rather than ending the span.
    expect(render('`{{ inputs.tick }}`', hostile).html).toBe('<p><code>aˋb</code></p>\n');
    expect(render('| a |\n|---|\n| `{{ inputs.pipe }}` {{ inputs.pipe }} |', hostile).html).toContain('<td><code>x|y</code> x|y</td>');
    expect(render('```\n{{ inputs.fence }}\n```', hostile).html).toBe(
      '<pre><code>a ``` &lt;img src=x onerror=alert(1)&gt;\n</code></pre>\n',
    );
  });

  it('cannot turn a link target into a script URL', () => {
    const { html } = render('[open]({{ inputs.url }})', { inputs: { url: 'javascript:alert(1)' }, secretInputNames: new Set() });
    expect(html).toBe('<p><a rel="noopener noreferrer nofollow">open</a></p>\n');
  });
});

describe('renderProcedureDocument: hostile document content', () => {
  it.each([
    '<script>alert(1)</script>',
    '<SCRIPT SRC=//evil.example/x.js></SCRIPT>',
    '<img src=x onerror=alert(1)>',
    '<IMG SRC="x" ONERROR="alert(1)">',
    '<img src=&#x6A;avascript:alert(1)>',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="jav&#x09;ascript:alert(1)">click</a>',
    '<a href="jav\tascript:alert(1)">click</a>',
    '<a href="  javascript:alert(1)">click</a>',
    '<a href="\x01\x02javascript:alert(1)">click</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">click</a>',
    '<a href="javascript&colon;alert(1)">click</a>',
    '<a href="vbscript:msgbox(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
    '<a href="https://example.com" onclick="alert(1)" onmouseover="alert(1)" style="color:red">ok</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<svg onload=alert(1)><circle r="1"></circle></svg>',
    '<svg><script>alert(1)</script></svg>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<style>body { background: url("javascript:alert(1)") }</style>',
    '<form action="javascript:alert(1)"><input type="submit" value="go"></form>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<details open ontoggle=alert(1)>',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<body onload=alert(1)>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<!--><img src=x onerror=alert(1)>-->',
    '[x](javascript:alert(1))',
    '[x](JaVaScRiPt:alert(1))',
    '[x](  javascript:alert(1))',
    '[x](jav&#x09;ascript:alert(1))',
    '[x](<javascript:alert(1)>)',
    '[x](vbscript:msgbox(1))',
    '[x][ref]\n\n[ref]: javascript:alert(1)',
    '![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)',
    '![x](javascript:alert(1))',
    '<img src="data:image/png;base64,iVBORw0KGgo=">',
  ])('%j renders without active content', (doc) => {
    const html = render(doc).html.toLowerCase();
    for (const needle of FORBIDDEN) expect(html).not.toContain(needle);
    expect(html).not.toMatch(/\son[a-z]+\s*=|\sstyle\s*=|<(object|embed|math|meta|base|input|details|body)\b|srcdoc/);
  });

  it('keeps a quote in a link title inside the attribute', () => {
    expect(render('[x](https://example.com "a\\" onmouseover=\\"alert(1)")').html).toBe(
      '<p><a href="https://example.com" title="a&quot; onmouseover=&quot;alert(1)" rel="noopener noreferrer nofollow">x</a></p>\n',
    );
  });

  it('keeps the text of a javascript: autolink but not the link target', () => {
    expect(render('<javascript:alert(1)>').html).toBe('<p><a rel="noopener noreferrer nofollow">javascript:alert(1)</a></p>\n');
  });

  it('keeps images with http(s) sources only', () => {
    expect(render('![ok](https://example.com/a.png "t") ![rel](/v1/a.png) ![proto](//example.com/b.png)').html).toBe(
      '<p><img src="https://example.com/a.png" alt="ok" title="t" />  </p>\n',
    );
  });
});

describe('renderProcedureDocument: ordinary Markdown', () => {
  it('renders headings, emphasis, lists, code, quotes, tables, links and rules', () => {
    const doc = [
      '# Deploy {{ inputs.server }}',
      '## Before you start',
      'Check the **dashboard**, *twice*, and ~~never~~ skip it.<br>Really.',
      '1. Drain\n2. Deploy\n   - watch the logs',
      '- [ ] confirm\n- [x] announced',
      '> Ask the on-call first.',
      '```sh\nmake deploy\n```',
      '| step | owner |\n|:-----|------:|\n| drain | `ops` |',
      'See [the runbook](https://example.com/runbook "Runbook"), <https://example.com>, mail <ops@example.com> or [step 3](#step-3).',
      '***',
    ].join('\n\n');
    expect(render(doc).html).toBe(
      [
        '<h1>Deploy web-01.example.com</h1>',
        '<h2>Before you start</h2>',
        '<p>Check the <strong>dashboard</strong>, <em>twice</em>, and <del>never</del> skip it.<br />Really.</p>',
        '<ol>\n<li>Drain</li>\n<li>Deploy<ul>\n<li>watch the logs</li>\n</ul>\n</li>\n</ol>',
        '<ul>\n<li>☐ confirm</li>\n<li>☑ announced</li>\n</ul>',
        '<blockquote>\n<p>Ask the on-call first.</p>\n</blockquote>',
        '<pre><code class="language-sh">make deploy\n</code></pre>',
        '<table>\n<thead>\n<tr>\n<th align="left">step</th>\n<th align="right">owner</th>\n</tr>\n</thead>\n' +
          '<tbody><tr>\n<td align="left">drain</td>\n<td align="right"><code>ops</code></td>\n</tr>\n</tbody></table>',
        '<p>See <a href="https://example.com/runbook" title="Runbook" rel="noopener noreferrer nofollow">the runbook</a>, ' +
          '<a href="https://example.com" rel="noopener noreferrer nofollow">https://example.com</a>, mail ' +
          '<a href="mailto:ops@example.com" rel="noopener noreferrer nofollow">ops@example.com</a> or ' +
          '<a href="#step-3" rel="noopener noreferrer nofollow">step 3</a>.</p>',
        '<hr />\n',
      ].join('\n'),
    );
  });
});
