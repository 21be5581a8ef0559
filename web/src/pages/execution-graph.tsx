import type { Schemas } from '../api/client.ts';
import { useWorkflowVersion } from '../api/queries.ts';
import { ErrorNote, Loading } from '../components/common.tsx';
import { layoutGraph } from '../lib/graph-layout.ts';

type Execution = Schemas['ExecutionDetail'];

const W = 170;
const H = 44;

/** The DAG of the workflow's tasks, each coloured by the status of its latest attempt. */
export function GraphTab({ execution: e }: { execution: Execution }) {
  const version = useWorkflowVersion(e.workflowId, e.workflowVersion);
  if (version.isPending) return <Loading what="the workflow definition" />;
  if (version.error) return <ErrorNote error={version.error} />;
  const defined = version.data.definition.tasks.map((t) => ({ id: t.id, needs: t.needs }));
  // steps added to a record while it ran are not in the definition: shown on their own
  const extra = [...new Set(e.taskRuns.map((r) => r.taskId))]
    .filter((id) => !defined.some((t) => t.id === id))
    .map((id) => ({ id, needs: [] }));
  const latest = new Map<string, Schemas['TaskRun']>();
  for (const r of e.taskRuns) if ((latest.get(r.taskId)?.attempt ?? 0) <= r.attempt) latest.set(r.taskId, r);
  const layout = layoutGraph([...defined, ...extra], { nodeWidth: W, nodeHeight: H });
  return (
    <div className="graph" tabIndex={0} aria-label="Task graph, scroll when wide">
      <svg
        width={layout.width + 20}
        height={layout.height + 20}
        role="img"
        aria-label={`Task graph: ${layout.nodes.map((n) => `${n.id} ${latest.get(n.id)?.status ?? 'not started'}`).join(', ')}`}
      >
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" className="arrow" />
          </marker>
        </defs>
        <g transform="translate(10, 10)">
          {layout.edges.map((edge) => {
            const mid = (edge.x1 + edge.x2) / 2;
            return (
              <path
                key={`${edge.from}-${edge.to}`}
                d={`M ${edge.x1} ${edge.y1} C ${mid} ${edge.y1}, ${mid} ${edge.y2}, ${edge.x2} ${edge.y2}`}
                className="edge"
                markerEnd="url(#arrow)"
              />
            );
          })}
          {layout.nodes.map((n) => {
            const run = latest.get(n.id);
            const status = run?.status ?? 'not-started';
            return (
              <g key={n.id} transform={`translate(${n.x}, ${n.y})`} className={`node status-${status}`}>
                <rect width={W} height={H} rx={6} />
                <text x={10} y={18} className="node-id">
                  {n.id}
                </text>
                <text x={10} y={34} className="node-status">
                  {status.replace('_', ' ')}
                  {run && run.attempt > 1 ? ` (attempt ${run.attempt})` : ''}
                </text>
              </g>
            );
          })}
        </g>
      </svg>
    </div>
  );
}
