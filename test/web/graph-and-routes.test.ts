import { describe, expect, it } from 'vitest';
import { ansiChunks } from '../../web/src/lib/ansi.ts';
import { layoutGraph } from '../../web/src/lib/graph-layout.ts';
import { matchRoute } from '../../web/src/lib/routes.ts';

describe('task graph layout', () => {
  it('puts each task one column after the longest chain of its needs', () => {
    const layout = layoutGraph(
      [
        { id: 'fetch', needs: [] },
        { id: 'build', needs: ['fetch'] },
        { id: 'lint', needs: [] },
        { id: 'announce', needs: ['build'] },
        { id: 'verify', needs: ['announce', 'lint'] },
      ],
      { nodeWidth: 100, nodeHeight: 40, columnGap: 50, rowGap: 10 },
    );
    expect(layout.nodes.map((n) => [n.id, n.column, n.row, n.x, n.y])).toEqual([
      ['fetch', 0, 0, 0, 0],
      ['build', 1, 0, 150, 0],
      ['lint', 0, 1, 0, 50],
      ['announce', 2, 0, 300, 0],
      ['verify', 3, 0, 450, 0],
    ]);
    expect(layout.edges.find((e) => e.from === 'lint' && e.to === 'verify')).toEqual({
      from: 'lint',
      to: 'verify',
      x1: 100,
      y1: 70,
      x2: 450,
      y2: 20,
    });
    expect(layout.edges).toHaveLength(4);
    expect([layout.width, layout.height]).toEqual([550, 90]);
  });

  it('ignores needs it does not know and survives a cycle', () => {
    const layout = layoutGraph([
      { id: 'a', needs: ['b', 'ghost'] },
      { id: 'b', needs: ['a'] },
    ]);
    expect(layout.nodes).toHaveLength(2);
    expect(layout.edges.every((e) => e.from !== 'ghost')).toBe(true);
  });
});

describe('routes', () => {
  it('gives every view its own URL', () => {
    const id = '01900000-0000-7000-8000-00000000abcd';
    expect(matchRoute('/')).toEqual({ name: 'home' });
    expect(matchRoute('/executions/')).toEqual({ name: 'executions' });
    expect(matchRoute(`/executions/${id}`)).toEqual({ name: 'execution', id, tab: 'overview' });
    expect(matchRoute(`/executions/${id.toUpperCase()}/logs`)).toEqual({ name: 'execution', id, tab: 'logs' });
    expect(matchRoute(`/executions/${id}/secrets`)).toEqual({ name: 'not-found' });
    expect(matchRoute('/workflows/deploy_service')).toEqual({ name: 'workflow', id: 'deploy_service' });
    expect(matchRoute('/workflows/deploy_service/run')).toEqual({ name: 'run', id: 'deploy_service' });
    expect(matchRoute('/workflows/Bad')).toEqual({ name: 'not-found' });
  });
});

describe('ANSI colours', () => {
  it('turns escapes into classes and keeps HTML as text', () => {
    expect(ansiChunks('\u001b[31m<b>red</b>\u001b[0m plain')).toEqual([
      { text: '<b>red</b>', classes: ['ansi-red-fg'] },
      { text: ' plain', classes: [] },
    ]);
    expect(ansiChunks('\u001b[1;38;2;10;20;30mtrue')).toEqual([{ text: 'true', classes: ['ansi-bold'], color: 'rgb(10, 20, 30)' }]);
    expect(ansiChunks('<img src=x onerror=alert(1)>')).toEqual([{ text: '<img src=x onerror=alert(1)>', classes: [] }]);
  });
});
