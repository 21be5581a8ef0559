/**
 * The DAG of a workflow's tasks laid out in columns: a task's column is the longest chain of
 * `needs` before it, its row its place among the tasks of that column in definition order. Pure.
 */
export interface GraphTask {
  id: string;
  needs: readonly string[];
}

export interface GraphNode {
  id: string;
  column: number;
  row: number;
  x: number;
  y: number;
}

export interface GraphEdge {
  from: string;
  to: string;
  /** From the right middle of `from` to the left middle of `to`. */
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface GraphLayout {
  nodes: GraphNode[];
  edges: GraphEdge[];
  width: number;
  height: number;
}

export interface GraphOptions {
  nodeWidth?: number;
  nodeHeight?: number;
  columnGap?: number;
  rowGap?: number;
}

export function layoutGraph(tasks: readonly GraphTask[], options: GraphOptions = {}): GraphLayout {
  const nodeWidth = options.nodeWidth ?? 160;
  const nodeHeight = options.nodeHeight ?? 40;
  const columnGap = options.columnGap ?? 60;
  const rowGap = options.rowGap ?? 16;
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const column = new Map<string, number>();
  const visiting = new Set<string>();
  const columnOf = (id: string): number => {
    const known = column.get(id);
    if (known !== undefined) return known;
    // a cycle cannot be defined (the server refuses it); should one arrive, it is cut here
    if (visiting.has(id)) return 0;
    visiting.add(id);
    const needs = (byId.get(id)?.needs ?? []).filter((n) => byId.has(n));
    const c = needs.length === 0 ? 0 : Math.max(...needs.map(columnOf)) + 1;
    visiting.delete(id);
    column.set(id, c);
    return c;
  };
  const rowsUsed: number[] = [];
  const nodes: GraphNode[] = tasks.map((t) => {
    const c = columnOf(t.id);
    const row = rowsUsed[c] ?? 0;
    rowsUsed[c] = row + 1;
    return { id: t.id, column: c, row, x: c * (nodeWidth + columnGap), y: row * (nodeHeight + rowGap) };
  });
  const at = new Map(nodes.map((n) => [n.id, n]));
  const edges: GraphEdge[] = [];
  for (const t of tasks) {
    for (const need of t.needs) {
      const from = at.get(need);
      const to = at.get(t.id);
      if (!from || !to) continue;
      edges.push({ from: need, to: t.id, x1: from.x + nodeWidth, y1: from.y + nodeHeight / 2, x2: to.x, y2: to.y + nodeHeight / 2 });
    }
  }
  const columns = Math.max(1, rowsUsed.length);
  const rows = Math.max(1, ...rowsUsed.map((r) => r ?? 0));
  return { nodes, edges, width: columns * nodeWidth + (columns - 1) * columnGap, height: rows * nodeHeight + (rows - 1) * rowGap };
}
