/**
 * Most input sets in one bulk start (`POST /v1/workflows/:id/runs`, `workflow run --inputs-file`):
 * a request stays short, and its transactions keep other writers waiting only briefly.
 */
export const MAX_RUNS_PER_REQUEST = 1000;
