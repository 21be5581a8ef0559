/**
 * Most input sets in one bulk start (`POST /v1/workflows/:id/runs`, `workflow run --inputs-file`):
 * one transaction holds them all, so it stays short and other writers are not kept waiting long.
 */
export const MAX_RUNS_PER_REQUEST = 1000;
