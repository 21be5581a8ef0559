import sanitizeHtml from 'sanitize-html';

/**
 * The last word on what a procedure document may contain once it is HTML. Documents are written by
 * anyone who may edit a workflow and are shown to everyone who runs or audits it, inside the web UI's
 * origin, so this is an allow-list: what Markdown produces for text, and nothing that runs, loads
 * active content, styles the page or submits anything.
 */

const TABLE_ALIGN = { name: 'align', values: ['left', 'center', 'right'] };

/** Link targets a reader may follow. Relative links (`#step-3`, `/executions/…`) have no scheme and stay. */
const LINK_SCHEMES = ['http', 'https', 'mailto'];

/** Images load on sight, so only absolute http(s) URLs: no `data:`, and no request to our own API. */
const ABSOLUTE_HTTP_URL = /^https?:\/\//i;

/**
 * Removed with their content, not just their tags: their text is code, styles or markup, which would
 * show as garbage. Everything else that is not allowed loses only its tags.
 */
const REMOVED_WITH_CONTENT = [
  'script',
  'style',
  'textarea',
  'option',
  'select',
  'noscript',
  'iframe',
  'frame',
  'object',
  'embed',
  'svg',
  'math',
  'template',
  'title',
  'xmp',
  'noembed',
  'noframes',
];

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'ul', 'ol', 'li', 'code', 'pre', 'blockquote'],
    ...['table', 'thead', 'tbody', 'tr', 'th', 'td', 'strong', 'em', 'del', 'hr', 'br', 'a', 'img'],
  ],
  allowedAttributes: {
    a: ['href', 'title', 'rel'],
    img: ['src', 'alt', 'title'],
    ol: ['start'],
    th: [TABLE_ALIGN],
    td: [TABLE_ALIGN],
  },
  // `language-sh` on code blocks, for highlighting; no other classes, so no page styles apply.
  allowedClasses: { code: [/^language-[\w-]+$/] },
  allowedSchemes: LINK_SCHEMES,
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  nonTextTags: REMOVED_WITH_CONTENT,
  // A document is a fragment: a stray `</html>` in it must not cut off what follows.
  enforceHtmlBoundary: false,
  parseStyleAttributes: false,
  transformTags: {
    // Overwrites any rel the author wrote: the reader's session must not reach the target page.
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'noopener noreferrer nofollow' } }),
    img: (tagName, attribs) => {
      // Attribute values arrive entity-decoded; browsers ignore leading spaces and control characters.
      // eslint-disable-next-line no-control-regex -- the characters browsers skip are control characters
      const src = (attribs.src ?? '').replace(/^[\x00-\x20]+/, '');
      const kept = Object.entries(attribs).filter(([name]) => name !== 'src' || ABSOLUTE_HTTP_URL.test(src));
      return { tagName, attribs: Object.fromEntries(kept) };
    },
  },
  // An image without a source shows only a broken-image icon.
  exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
};

/** `html` reduced to the allow-list above; safe to insert into the web UI's DOM. */
export function sanitizeDocumentHtml(html: string): string {
  return sanitizeHtml(html, OPTIONS);
}
