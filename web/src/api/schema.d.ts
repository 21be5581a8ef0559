/**
 * Generated from the served OpenAPI document by `npm run gen:web-api`: do not edit.
 */
export interface paths {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The process is up */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Health"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The store answers, takes writes and has the migrations of this build */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Readiness"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Readiness"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics (RUNLEDGER_METRICS_TOKEN or an admin token) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The browser session's user, CSRF token and expiry; 401 when there is none */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["BrowserSession"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        /** Sign in from a browser: sets the HttpOnly session cookie; answers the CSRF token to send back */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        username: string;
                        password: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["BrowserSession"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        /** Sign out: ends the browser session on the server and removes its cookie */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description No content */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": null;
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign in; returns a session token (JWT) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        username: string;
                        password: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["LoginResult"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who am I */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Me"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My API tokens (never their values) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: components["schemas"]["ApiToken"][];
                        };
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        /** Create an API token (shown once) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        expiresAt?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CreatedApiToken"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tokens/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke an API token */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description No content */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": null;
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/workflows": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List workflows */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: components["schemas"]["WorkflowSummary"][];
                        };
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        /** Create a workflow from a JSON or YAML definition */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CreatedWorkflow"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/procedures": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The procedures: workflows with a document or manual steps, at their latest version, by name */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: components["schemas"]["ProcedureSummary"][];
                        };
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/workflows/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A workflow and its latest definition */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["WorkflowDetail"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        /** Apply a new version (idempotent: an identical definition makes none) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AppliedWorkflow"];
                    };
                };
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AppliedWorkflow"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        post?: never;
        /** Delete a workflow (its executions stay) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description No content */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": null;
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/workflows/{id}/versions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every version, newest first */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: components["schemas"]["WorkflowVersion"][];
                        };
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/workflows/{id}/versions/{version}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One version: its definition, procedure document and variables form */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                    version: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["WorkflowVersionDetail"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/workflows/{id}/run": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start an execution; answers 202 at once */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @default {} */
                        inputs?: {
                            [key: string]: unknown;
                        };
                        title?: string;
                        correlationId?: string;
                        version?: number;
                        /** @default false */
                        procedure?: boolean;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["RunStarted"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/workflows/{id}/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start many executions of one version (at most 1000 input sets; one bad set starts none); answers 202 at once */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        runs: {
                            /** @default {} */
                            inputs?: {
                                [key: string]: unknown;
                            };
                            title?: string;
                            correlationId?: string;
                        }[];
                        version?: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["RunsStarted"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/workflows/{id}/executions/count": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** How many of one workflow's executions match */
        get: {
            parameters: {
                query?: {
                    status?: string;
                    workflow?: string;
                    triggeredBy?: string;
                    from?: string;
                    to?: string;
                    keyword?: string;
                    procedure?: string;
                    executor?: string;
                    trigger?: "api" | "cli" | "schedule" | "manual" | "webhook" | "workflow";
                    deleted?: "true" | "false";
                    cursor?: string;
                    limit?: number;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ExecutionCount"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/workflows/{id}/executions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One workflow's executions, newest first */
        get: {
            parameters: {
                query?: {
                    status?: string;
                    workflow?: string;
                    triggeredBy?: string;
                    from?: string;
                    to?: string;
                    keyword?: string;
                    procedure?: string;
                    executor?: string;
                    trigger?: "api" | "cli" | "schedule" | "manual" | "webhook" | "workflow";
                    deleted?: "true" | "false";
                    cursor?: string;
                    limit?: number;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ExecutionPage"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/schedules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Schedule triggers, soonest first: their next run times and their last fire */
        get: {
            parameters: {
                query?: {
                    workflow?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: components["schemas"]["Schedule"][];
                        };
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/workflows/{id}/webhooks/{triggerId}/secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Rotate a webhook trigger's signing secret (the old one stops working at once); shown this once */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                    triggerId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["WebhookSecret"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/workflows/{id}/webhooks/{triggerId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start the workflow from a signed webhook request (no bearer token: the signature is the credential) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                    triggerId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["RunStarted"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/executions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Execution history, newest first (keyset cursor) */
        get: {
            parameters: {
                query?: {
                    status?: string;
                    workflow?: string;
                    triggeredBy?: string;
                    from?: string;
                    to?: string;
                    keyword?: string;
                    procedure?: string;
                    executor?: string;
                    trigger?: "api" | "cli" | "schedule" | "manual" | "webhook" | "workflow";
                    deleted?: "true" | "false";
                    cursor?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ExecutionPage"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/executions/count": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** How many executions match the filters (the only counting route) */
        get: {
            parameters: {
                query?: {
                    status?: string;
                    workflow?: string;
                    triggeredBy?: string;
                    from?: string;
                    to?: string;
                    keyword?: string;
                    procedure?: string;
                    executor?: string;
                    trigger?: "api" | "cli" | "schedule" | "manual" | "webhook" | "workflow";
                    deleted?: "true" | "false";
                    cursor?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ExecutionCount"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/executions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Status, timings, inputs, context snapshot and every task run */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ExecutionDetail"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Soft delete: hidden from everything but admin views; its evidence is purged after the grace period */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Deleted"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Title and notes (a draft save), and for a human-run record: complete it or mark it failed */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        title?: string;
                        notes?: string;
                        /** @enum {string} */
                        status?: "completed" | "failed";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ExecutionDetail"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/v1/executions/{id}/tasks/{taskRunId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One task run */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                    taskRunId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TaskRun"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** A step's notes, editable until the record ends */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                    taskRunId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        notes: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TaskRun"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/v1/executions/{id}/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The execution's audit events and whether its chain verifies */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ExecutionAudit"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/executions/{id}/step-audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every step result of the execution, all task runs at once, with the full result joined from its transition */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: components["schemas"]["StepResultAuditEntry"][];
                        };
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/executions/{id}/tasks/{taskRunId}/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A step's result audit: one row per result, with the full result joined from its transition */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                    taskRunId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: components["schemas"]["StepResultAuditEntry"][];
                        };
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/executions/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel with a reason; running processes are killed */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        reason?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ExecutionDetail"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/executions/{id}/tasks/{taskRunId}/complete": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A person completes a waiting manual step */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                    taskRunId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "succeeded" | "failed";
                        notes?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TaskRun"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/executions/{id}/shares": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who an execution is shared with */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ExecutionShares"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        /** Share with users and groups (read only), or make private; owner or admin */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @enum {string} */
                        scope: "private" | "shared";
                        /** @default [] */
                        users?: string[];
                        /** @default [] */
                        groups?: string[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ExecutionShares"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/directory": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Users (enabled) and groups whose name contains q, at most 20 of each: whom a record can be shared with */
        get: {
            parameters: {
                query: {
                    q: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Directory"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/executions/{id}/document": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The procedure document with the execution's values substituted (secrets masked): Markdown and sanitised HTML */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ExecutionDocument"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/executions/{id}/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One execution as one archive: the record as JSON, its logs, its audit events with their verification and the signed checkpoint covering them, and its evidence files with their sha256 */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The archive: a tar of the record, logs, audit chain, checkpoint and evidence */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/gzip": string;
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/executions/{id}/steps": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Add a step to a record being followed */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        description: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TaskRun"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/executions/{id}/restore": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Admin: bring back a deleted execution within the grace period */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ExecutionDetail"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/executions/{id}/tasks/{taskRunId}/attachments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Attach a file to a step (multipart/form-data, one part named "file"); streamed to storage */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                    taskRunId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Attachment"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/attachments-limits": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The upload limit, for a client to refuse an oversized file before sending it */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AttachmentLimits"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/executions/{id}/attachments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An execution's attachments (not deleted), oldest first */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: components["schemas"]["Attachment"][];
                        };
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/attachments/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Download: the bytes as an attachment (local storage), or a 302 to a short-lived pre-signed URL (S3) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The file, as an attachment */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/octet-stream": string;
                    };
                };
                /** @description A short-lived pre-signed URL (S3) */
                302: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": null;
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Delete (the bytes are purged after the grace period) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Deleted"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/attachments/{id}/url": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A download URL: pre-signed and expiring (S3), or the API download path (local storage, expiresAt null) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AttachmentUrl"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/attachments/{id}/thumbnail": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The WebP thumbnail of a raster image, shown inline */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The WebP thumbnail */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/octet-stream": string;
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/attachments/check": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Attachments whose object is missing or altered (sha256), and objects without a row */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AttachmentCheck"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        /** The same check; with `clean: true` it also removes the temporary files of uploads that never finished */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        clean?: boolean;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AttachmentCheck"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/executions/{id}/logs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An execution's log lines in order: after a seq (afterSeq), or just before one (beforeSeq); follow=true streams them as Server-Sent Events until it ends */
        get: {
            parameters: {
                query?: {
                    level?: string;
                    since?: string;
                    task?: string;
                    afterSeq?: number;
                    beforeSeq?: number;
                    limit?: number;
                    follow?: "0" | "1" | "true" | "false";
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["LogPage"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/executions/{id}/logs/summary": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Where the log begins and ends (first and last seq, lines stored and written) and which lines retention deleted */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["LogSummary"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/executions/{id}/logs/search": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Search the whole log (case-insensitive substring): the seqs of matching lines after afterSeq or just before beforeSeq (at most limit), and how many lines match */
        get: {
            parameters: {
                query: {
                    level?: string;
                    since?: string;
                    task?: string;
                    q: string;
                    afterSeq?: number;
                    beforeSeq?: number;
                    limit?: number;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["LogSearch"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/executions/{id}/logs/download": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Download the whole log, or the lines matching the filters, as text or NDJSON (an attachment) */
        get: {
            parameters: {
                query?: {
                    level?: string;
                    since?: string;
                    task?: string;
                    q?: string;
                    format?: "text" | "ndjson";
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The lines as text (one per line: time, level, source, message) or NDJSON (one LogLine a line), streamed */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/plain": string;
                        "application/x-ndjson": string;
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Users */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: components["schemas"]["UserDetail"][];
                        };
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        /** Create a user */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        username: string;
                        password: string;
                        /**
                         * @default member
                         * @enum {string}
                         */
                        role?: "admin" | "member";
                        /** @default false */
                        canEditWorkflows?: boolean;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["UserDetail"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change role, password, grant, or disable a user */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @enum {string} */
                        role?: "admin" | "member";
                        password?: string;
                        disabled?: boolean;
                        canEditWorkflows?: boolean;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["UserDetail"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/v1/admin/groups": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Groups and their members */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: components["schemas"]["GroupView"][];
                        };
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        /** Create a group */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["GroupView"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/groups/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Delete a group (its shares go with it) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description No content */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": null;
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/groups/{id}/members/{userId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Add a member */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                    userId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["GroupView"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        post?: never;
        /** Remove a member (effective on the next request) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                    userId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["GroupView"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Audit events, newest first */
        get: {
            parameters: {
                query?: {
                    subjectType?: "execution" | "workflow" | "user" | "group" | "login" | "security";
                    eventType?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: components["schemas"]["AuditEvent"][];
                        };
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The whole audit trail as NDJSON, oldest first */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The audit events, one JSON object a line, oldest first */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/x-ndjson": string;
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Verify every chain, link and checkpoint signature */
        get: {
            parameters: {
                query?: {
                    execution?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AuditVerification"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        /** Verify, also against an exported checkpoint (detects a deleted tail or a rewritten chain) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** Format: uuid */
                        execution?: string;
                        checkpoint: {
                            id: string;
                            seq: number;
                            createdAt: string;
                            reason: string;
                            heads: (string | number)[][];
                            prevHash: string | null;
                            hash: string;
                            keyId: string;
                            signature: string;
                        };
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AuditVerification"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit/checkpoints": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Write a signed checkpoint now */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AuditCheckpoint"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit/checkpoints/latest": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The latest signed checkpoint, to keep outside the server */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ExportedCheckpoint"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/retention/stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Row counts, sizes, oldest records, executions by status */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["RetentionStats"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/retention/cleanup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Delete log lines (and purge audit chains) of long-ended executions; dryRun reports only */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        olderThanDays?: number;
                        /** @enum {string} */
                        status?: "completed" | "failed" | "cancelled" | "timed_out";
                        /** @default false */
                        dryRun?: boolean;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CleanupReport"];
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        ProblemInput: {
            type: string;
            title: string;
            status: number;
            /** @description Stable error code (docs/errors.md) */
            code: string;
            detail: string;
            instance?: string;
            problems?: string[];
        } & {
            [key: string]: unknown;
        };
        TaskFailureInput: {
            /** @enum {string} */
            type: "task" | "timeout" | "cancelled" | "lost" | "skipped" | "internal";
            code: string;
            message: string;
            stack?: string;
            retryable: boolean;
        };
        LogLineInput: {
            seq: number;
            /** @description The task run that wrote it; null for the scheduler's own lines */
            taskRunId: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            ts: string;
            /** @description DEBUG, INFO, WARN or ERROR */
            level: string;
            /** @description scheduler, task:<id>, task:<id>:stdout, task:<id>:stderr… */
            source: string;
            message: string;
        };
        LogPageInput: {
            items: components["schemas"]["LogLineInput"][];
            nextSeq: number;
            hasMore: boolean;
        };
        LogRetentionGapInput: {
            fromSeq: number;
            toSeq: number;
            /**
             * Format: date-time
             * @description When the retention cleanup that deleted them ran, when known
             */
            deletedAt: string | null;
            retentionDays: number | null;
        };
        LogSummaryInput: {
            /** @description The first stored line; null when none is stored */
            firstSeq: number | null;
            /** @description The last line written (0 when none) */
            lastSeq: number;
            /** @description Lines stored now */
            lineCount: number;
            /** @description Lines ever written */
            written: number;
            deleted: components["schemas"]["LogRetentionGapInput"] | null;
            /** @description The execution has ended: no line will be added */
            ended: boolean;
        };
        LogSearchInput: {
            seqs: number[];
            /** @description Matching lines, counted up to `countLimit` */
            count: number;
            countLimit: number;
            /** @description More lines match than `seqs` holds */
            truncated: boolean;
        };
        LogEndInput: {
            status: string;
            lastSeq: number;
        };
        /** @enum {string} */
        ExecutionStatusInput: "pending" | "running" | "waiting" | "completed" | "failed" | "cancelled" | "timed_out";
        TriggerDefinitionInput: {
            id: string;
            /** @enum {string} */
            type: "schedule";
            cron: string;
            timezone: string;
            inputs: {
                [key: string]: unknown;
            };
            catchUp: boolean;
        } | {
            id: string;
            /** @enum {string} */
            type: "webhook";
            inputs: {
                [key: string]: unknown;
            };
        };
        WorkflowDefinitionInput: {
            id: string;
            name: string;
            description?: string;
            inputs: {
                [key: string]: {
                    /** @enum {string} */
                    type: "string" | "number" | "integer" | "boolean" | "object" | "array";
                    description?: string;
                    default?: unknown;
                    required: boolean;
                    secret: boolean;
                };
            };
            doc?: string;
            timeout?: string;
            tasks: {
                id: string;
                /** @enum {string} */
                type: "shell" | "http" | "log" | "sleep" | "plugin" | "manual" | "workflow";
                name?: string;
                needs: string[];
                with: {
                    [key: string]: unknown;
                };
                retry?: {
                    max: number;
                    backoff: string;
                };
                timeout?: string;
                if?: string;
                for_each?: string;
                concurrency?: number;
                continue_on_failure?: boolean;
            }[];
            on_failure?: {
                id: string;
                /** @enum {string} */
                type: "shell" | "http" | "log" | "sleep" | "plugin" | "manual" | "workflow";
                name?: string;
                needs: string[];
                with: {
                    [key: string]: unknown;
                };
                retry?: {
                    max: number;
                    backoff: string;
                };
                timeout?: string;
                if?: string;
                for_each?: string;
                concurrency?: number;
                continue_on_failure?: boolean;
            }[];
            triggers?: components["schemas"]["TriggerDefinitionInput"][];
        };
        WorkflowSummaryInput: {
            id: string;
            name: string;
            latestVersion: number;
            createdBy: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            updatedAt: string;
        };
        ProcedureSummaryInput: {
            id: string;
            name: string;
            description: string | null;
            latestVersion: number;
            hasDocument: boolean;
            /** @description How many of its tasks are manual steps */
            manualSteps: number;
            /** @description How many tasks it has in all */
            steps: number;
            /** @description How many variables its form asks for */
            inputs: number;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            updatedAt: string;
        };
        WorkflowDetailInput: {
            id: string;
            name: string;
            latestVersion: number;
            createdBy: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            updatedAt: string;
            definition: components["schemas"]["WorkflowDefinitionInput"];
        };
        CreatedWorkflowInput: {
            id: string;
            name: string;
            latestVersion: number;
            createdBy: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            updatedAt: string;
            definition: components["schemas"]["WorkflowDefinitionInput"];
            version: number;
            /** @description The signing secret of each webhook trigger this version added, by trigger id: shown this once, never again */
            webhookSecrets?: {
                [key: string]: string;
            };
        };
        AppliedWorkflowInput: {
            id: string;
            name: string;
            latestVersion: number;
            createdBy: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            updatedAt: string;
            definition: components["schemas"]["WorkflowDefinitionInput"];
            version: number;
            /** @description The signing secret of each webhook trigger this version added, by trigger id: shown this once, never again */
            webhookSecrets?: {
                [key: string]: string;
            };
            changed: boolean;
        };
        WorkflowVersionInput: {
            id: string;
            workflowId: string;
            version: number;
            checksum: string;
            createdBy: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
            definition: components["schemas"]["WorkflowDefinitionInput"];
            /** @description The definition as it was sent (YAML or JSON) */
            source: string;
            /** @enum {string} */
            sourceFormat: "yaml" | "json";
        };
        WorkflowInputInput: {
            name: string;
            /** @enum {string} */
            type: "string" | "number" | "integer" | "boolean" | "object" | "array";
            required: boolean;
            secret: boolean;
            /** @description null for a secret input: its default is never sent */
            default: unknown;
            description: string | null;
        };
        WorkflowVersionDetailInput: {
            id: string;
            workflowId: string;
            version: number;
            checksum: string;
            createdBy: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
            definition: components["schemas"]["WorkflowDefinitionInput"];
            /** @description The definition as it was sent (YAML or JSON) */
            source: string;
            /** @enum {string} */
            sourceFormat: "yaml" | "json";
            name: string;
            doc: string | null;
            inputs: components["schemas"]["WorkflowInputInput"][];
        };
        RunStartedInput: {
            executionId: string;
            status: components["schemas"]["ExecutionStatusInput"];
            title: string | null;
        };
        RunsStartedInput: {
            items: components["schemas"]["RunStartedInput"][];
        };
        /** @enum {string} */
        TaskRunStatusInput: "pending" | "running" | "waiting" | "succeeded" | "failed" | "cancelled" | "timed_out" | "skipped";
        ExecutionSummaryInput: {
            id: string;
            workflowId: string;
            workflowVersion: number;
            status: components["schemas"]["ExecutionStatusInput"];
            /** @enum {string} */
            trigger: "api" | "cli" | "schedule" | "manual" | "webhook" | "workflow";
            /** @description The definition's trigger that started it (schedule, webhook) */
            triggerId: string | null;
            triggeredBy: string | null;
            correlationId: string | null;
            title: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            startedAt: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            completedAt: string | null;
            durationMs: number | null;
            error: components["schemas"]["TaskFailureInput"] | null;
        };
        ExecutionListItemInput: {
            id: string;
            workflowId: string;
            workflowVersion: number;
            status: components["schemas"]["ExecutionStatusInput"];
            /** @enum {string} */
            trigger: "api" | "cli" | "schedule" | "manual" | "webhook" | "workflow";
            /** @description The definition's trigger that started it (schedule, webhook) */
            triggerId: string | null;
            triggeredBy: string | null;
            correlationId: string | null;
            title: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            startedAt: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            completedAt: string | null;
            durationMs: number | null;
            error: components["schemas"]["TaskFailureInput"] | null;
            /** @description The workflow's name; null when the workflow was deleted */
            workflowName: string | null;
            triggeredByUsername: string | null;
        };
        ExecutionPageInput: {
            items: components["schemas"]["ExecutionListItemInput"][];
            nextCursor: string | null;
        };
        ExecutionCountInput: {
            count: number;
        };
        TaskRunInput: {
            id: string;
            taskId: string;
            /** @enum {string} */
            type: "shell" | "http" | "log" | "sleep" | "plugin" | "manual" | "workflow";
            attempt: number;
            status: components["schemas"]["TaskRunStatusInput"];
            input: unknown;
            output: unknown;
            error: components["schemas"]["TaskFailureInput"] | null;
            workerId: string | null;
            notes: string | null;
            completedBy: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            startedAt: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            completedAt: string | null;
            durationMs: number | null;
            /**
             * @description main, or on_failure for a task run after the execution failed
             * @enum {string}
             */
            phase: "main" | "on_failure";
            /** @description One item of a for_each task: the item's position, from 0 */
            itemIndex: number | null;
            /** @description That item, masked */
            item: unknown;
            /** @description A workflow task's child execution */
            childExecutionId: string | null;
        };
        ExecutionContextInput: {
            inputs: {
                [key: string]: unknown;
            };
            tasks: {
                [key: string]: {
                    status: components["schemas"]["TaskRunStatusInput"];
                    attempt: number;
                    output: unknown;
                };
            };
        };
        ExecutionDetailInput: {
            id: string;
            workflowId: string;
            workflowVersion: number;
            status: components["schemas"]["ExecutionStatusInput"];
            /** @enum {string} */
            trigger: "api" | "cli" | "schedule" | "manual" | "webhook" | "workflow";
            /** @description The definition's trigger that started it (schedule, webhook) */
            triggerId: string | null;
            triggeredBy: string | null;
            correlationId: string | null;
            title: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            startedAt: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            completedAt: string | null;
            durationMs: number | null;
            error: components["schemas"]["TaskFailureInput"] | null;
            triggeredByUsername: string | null;
            notes: string | null;
            /** @description Masked: secret inputs read *** */
            inputs: {
                [key: string]: unknown;
            };
            context: components["schemas"]["ExecutionContextInput"] | null;
            /** @description Lines ever written, including any retention deleted */
            logEntryCount: number;
            accessScope: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            updatedAt: string;
            /** @description A child execution: the execution whose workflow task started it */
            parentExecutionId: string | null;
            parentTaskRunId: string | null;
            taskRuns: components["schemas"]["TaskRunInput"][];
        };
        UserRefInput: {
            id: string;
            username: string;
        };
        GroupRefInput: {
            id: string;
            name: string;
        };
        DirectoryInput: {
            users: components["schemas"]["UserRefInput"][];
            groups: components["schemas"]["GroupRefInput"][];
        };
        ExecutionSharesInput: {
            /** @description private (the owner and admins) or shared (also the users and groups listed) */
            scope: string;
            users: components["schemas"]["UserRefInput"][];
            groups: components["schemas"]["GroupRefInput"][];
        };
        DeletedInput: {
            id: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            deletedAt: string;
        };
        ExecutionDocumentInput: {
            workflowId: string;
            workflowVersion: number;
            markdown: string;
            /** @description Sanitised HTML: no script, no event handlers, no javascript: links */
            html: string;
        };
        AuditActorInput: {
            [key: string]: unknown;
        };
        AuditEventInput: {
            id: string;
            subjectType: string;
            subjectId: string;
            /** @description Position in its subject's chain: 1, 2, 3… */
            seq: number;
            executionId: string | null;
            eventType: string;
            actor: components["schemas"]["AuditActorInput"];
            metadata: {
                [key: string]: unknown;
            };
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
            prevHash: string | null;
            hash: string;
            /** @description The deployment audit key that authenticated the event */
            keyId: string | null;
            /** @description HMAC-SHA256 of `hash` under that key (null on events from before authentication) */
            mac: string | null;
        };
        ChainVerificationInput: {
            ok: boolean;
            checked: number;
            problems: string[];
        };
        ExecutionAuditInput: {
            items: components["schemas"]["AuditEventInput"][];
            verification: components["schemas"]["ChainVerificationInput"];
        };
        StepResultAuditEntryInput: {
            id: string;
            taskRunId: string;
            transitionId: string;
            executionId: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            recordedAt: string;
            workerId: string | null;
            recordedBy: string | null;
            correlationId: string | null;
            success: boolean;
            executionTimeMs: number | null;
            stepName: string;
            attempt: number;
            fromState: components["schemas"]["TaskRunStatusInput"] | null;
            toState: components["schemas"]["TaskRunStatusInput"];
            result: unknown;
        };
        AuditCheckpointInput: {
            id: string;
            seq: number;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
            reason: string;
            heads: (string | number)[][];
            prevHash: string | null;
            hash: string;
            keyId: string;
            signature: string;
        };
        ExportedCheckpointInput: {
            id: string;
            seq: number;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
            reason: string;
            heads: (string | number)[][];
            prevHash: string | null;
            hash: string;
            keyId: string;
            signature: string;
            publicKey: string;
        };
        AuditVerificationInput: {
            ok: boolean;
            chains: number;
            events: number;
            checkpoints: number;
            problems: string[];
        };
        UserViewInput: {
            id: string;
            username: string;
            /** @enum {string} */
            role: "admin" | "member";
        };
        UserDetailInput: {
            id: string;
            username: string;
            /** @enum {string} */
            role: "admin" | "member";
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            updatedAt: string;
            /**
             * Format: date-time
             * @description A disabled user can neither sign in nor use their tokens
             */
            disabledAt: string | null;
            canEditWorkflows: boolean;
        };
        GroupViewInput: {
            id: string;
            name: string;
            createdBy: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
            members: components["schemas"]["UserRefInput"][];
        };
        LoginResultInput: {
            token: string;
            user: components["schemas"]["UserViewInput"];
        };
        MeInput: {
            id: string | null;
            username: string | null;
            /** @enum {string|null} */
            role: "admin" | "member" | null;
            /** @enum {string} */
            via: "user" | "token" | "worker" | "system";
        };
        BrowserSessionInput: {
            user: components["schemas"]["UserViewInput"];
            /** @description Send it as X-CSRF-Token on every request that changes something */
            csrfToken: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            expiresAt: string;
        };
        ApiTokenInput: {
            id: string;
            userId: string;
            name: string;
            prefix: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            expiresAt: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            lastUsedAt: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            revokedAt: string | null;
        };
        CreatedApiTokenInput: {
            id: string;
            userId: string;
            name: string;
            prefix: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            expiresAt: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            lastUsedAt: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            revokedAt: string | null;
            token: string;
        };
        AttachmentInput: {
            id: string;
            executionId: string;
            taskRunId: string;
            /** @description The uploader's file name, sanitised: display text only */
            fileName: string;
            sizeBytes: number;
            /** @description Sniffed from the bytes by the server */
            mediaType: string;
            sha256: string;
            /** @enum {string} */
            thumbnailStatus: "pending" | "ready" | "failed" | "none";
            uploadedBy: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
        };
        AttachmentLimitsInput: {
            /** @description The largest file accepted, in bytes (ATTACHMENT_MAX_BYTES) */
            maxBytes: number;
        };
        AttachmentUrlInput: {
            url: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            expiresAt: string | null;
        };
        AttachmentCheckInput: {
            checked: number;
            missing: {
                id: string;
                executionId: string;
                taskRunId: string;
                fileName: string;
                storageKey: string;
            }[];
            altered: {
                id: string;
                executionId: string;
                taskRunId: string;
                fileName: string;
                storageKey: string;
                expectedSha256: string;
                actualSha256: string;
                expectedSizeBytes: number;
                actualSizeBytes: number;
            }[];
            orphans: string[];
            /** @description Temporary files of uploads begun over an hour ago that never finished */
            staleUploads: string[];
            staleUploadsRemoved: boolean;
            ok: boolean;
        };
        RetentionPolicyInput: {
            logDays: number;
            auditDays: number;
            recordDays?: number | null;
        };
        RetentionStatsInput: {
            policy: components["schemas"]["RetentionPolicyInput"];
            tables: {
                table: string;
                rows: number;
                bytes: number | null;
            }[];
            executionsByStatus: {
                [key: string]: number;
            };
            oldest: {
                /**
                 * Format: date-time
                 * @description ISO-8601 UTC, milliseconds
                 */
                execution: string | null;
                /**
                 * Format: date-time
                 * @description ISO-8601 UTC, milliseconds
                 */
                logLine: string | null;
                /**
                 * Format: date-time
                 * @description ISO-8601 UTC, milliseconds
                 */
                auditEvent: string | null;
            };
        };
        CleanupReportInput: {
            dryRun: boolean;
            logLines: {
                /**
                 * Format: date-time
                 * @description ISO-8601 UTC, milliseconds
                 */
                before: string;
                deleted: number;
            };
            audit: {
                /**
                 * Format: date-time
                 * @description ISO-8601 UTC, milliseconds
                 */
                before: string;
                chains: number;
                events: number;
            };
            triggerFires: {
                /**
                 * Format: date-time
                 * @description ISO-8601 UTC, milliseconds
                 */
                before: string;
                deleted: number;
            };
        };
        HealthInput: {
            status: string;
        };
        ReadinessInput: {
            status: string;
            store: string;
            cause?: string;
            detail?: string;
            since?: string;
        };
        ScheduleInput: {
            workflowId: string;
            triggerId: string;
            cron: string;
            timezone: string;
            /** @description The next due times, soonest first (the first may be due now) */
            nextRuns: string[];
            lastFire: {
                /**
                 * Format: date-time
                 * @description ISO-8601 UTC, milliseconds
                 */
                dueAt: string | null;
                /** @enum {string} */
                status: "started" | "skipped" | "failed";
                reason: string | null;
                executionId: string | null;
                /**
                 * Format: date-time
                 * @description ISO-8601 UTC, milliseconds
                 */
                recordedAt: string;
            } | null;
        };
        WebhookSecretInput: {
            workflowId: string;
            triggerId: string;
            secret: string;
            /** @description The path to POST signed requests to */
            url: string;
        };
        Problem: {
            type: string;
            title: string;
            status: number;
            /** @description Stable error code (docs/errors.md) */
            code: string;
            detail: string;
            instance?: string;
            problems?: string[];
        } & {
            [key: string]: unknown;
        };
        TaskFailure: {
            /** @enum {string} */
            type: "task" | "timeout" | "cancelled" | "lost" | "skipped" | "internal";
            code: string;
            message: string;
            stack?: string;
            retryable: boolean;
        };
        LogLine: {
            seq: number;
            /** @description The task run that wrote it; null for the scheduler's own lines */
            taskRunId: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            ts: string;
            /** @description DEBUG, INFO, WARN or ERROR */
            level: string;
            /** @description scheduler, task:<id>, task:<id>:stdout, task:<id>:stderr… */
            source: string;
            message: string;
        };
        LogPage: {
            items: components["schemas"]["LogLine"][];
            nextSeq: number;
            hasMore: boolean;
        };
        LogRetentionGap: {
            fromSeq: number;
            toSeq: number;
            /**
             * Format: date-time
             * @description When the retention cleanup that deleted them ran, when known
             */
            deletedAt: string | null;
            retentionDays: number | null;
        };
        LogSummary: {
            /** @description The first stored line; null when none is stored */
            firstSeq: number | null;
            /** @description The last line written (0 when none) */
            lastSeq: number;
            /** @description Lines stored now */
            lineCount: number;
            /** @description Lines ever written */
            written: number;
            deleted: components["schemas"]["LogRetentionGap"] | null;
            /** @description The execution has ended: no line will be added */
            ended: boolean;
        };
        LogSearch: {
            seqs: number[];
            /** @description Matching lines, counted up to `countLimit` */
            count: number;
            countLimit: number;
            /** @description More lines match than `seqs` holds */
            truncated: boolean;
        };
        LogEnd: {
            status: string;
            lastSeq: number;
        };
        /** @enum {string} */
        ExecutionStatus: "pending" | "running" | "waiting" | "completed" | "failed" | "cancelled" | "timed_out";
        TriggerDefinition: {
            id: string;
            /** @enum {string} */
            type: "schedule";
            cron: string;
            timezone: string;
            inputs: {
                [key: string]: unknown;
            };
            catchUp: boolean;
        } | {
            id: string;
            /** @enum {string} */
            type: "webhook";
            inputs: {
                [key: string]: unknown;
            };
        };
        WorkflowDefinition: {
            id: string;
            name: string;
            description?: string;
            inputs: {
                [key: string]: {
                    /** @enum {string} */
                    type: "string" | "number" | "integer" | "boolean" | "object" | "array";
                    description?: string;
                    default?: unknown;
                    required: boolean;
                    secret: boolean;
                };
            };
            doc?: string;
            timeout?: string;
            tasks: {
                id: string;
                /** @enum {string} */
                type: "shell" | "http" | "log" | "sleep" | "plugin" | "manual" | "workflow";
                name?: string;
                needs: string[];
                with: {
                    [key: string]: unknown;
                };
                retry?: {
                    max: number;
                    backoff: string;
                };
                timeout?: string;
                if?: string;
                for_each?: string;
                concurrency?: number;
                continue_on_failure?: boolean;
            }[];
            on_failure?: {
                id: string;
                /** @enum {string} */
                type: "shell" | "http" | "log" | "sleep" | "plugin" | "manual" | "workflow";
                name?: string;
                needs: string[];
                with: {
                    [key: string]: unknown;
                };
                retry?: {
                    max: number;
                    backoff: string;
                };
                timeout?: string;
                if?: string;
                for_each?: string;
                concurrency?: number;
                continue_on_failure?: boolean;
            }[];
            triggers?: components["schemas"]["TriggerDefinition"][];
        };
        WorkflowSummary: {
            id: string;
            name: string;
            latestVersion: number;
            createdBy: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            updatedAt: string;
        };
        ProcedureSummary: {
            id: string;
            name: string;
            description: string | null;
            latestVersion: number;
            hasDocument: boolean;
            /** @description How many of its tasks are manual steps */
            manualSteps: number;
            /** @description How many tasks it has in all */
            steps: number;
            /** @description How many variables its form asks for */
            inputs: number;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            updatedAt: string;
        };
        WorkflowDetail: {
            id: string;
            name: string;
            latestVersion: number;
            createdBy: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            updatedAt: string;
            definition: components["schemas"]["WorkflowDefinition"];
        };
        CreatedWorkflow: {
            id: string;
            name: string;
            latestVersion: number;
            createdBy: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            updatedAt: string;
            definition: components["schemas"]["WorkflowDefinition"];
            version: number;
            /** @description The signing secret of each webhook trigger this version added, by trigger id: shown this once, never again */
            webhookSecrets?: {
                [key: string]: string;
            };
        };
        AppliedWorkflow: {
            id: string;
            name: string;
            latestVersion: number;
            createdBy: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            updatedAt: string;
            definition: components["schemas"]["WorkflowDefinition"];
            version: number;
            /** @description The signing secret of each webhook trigger this version added, by trigger id: shown this once, never again */
            webhookSecrets?: {
                [key: string]: string;
            };
            changed: boolean;
        };
        WorkflowVersion: {
            id: string;
            workflowId: string;
            version: number;
            checksum: string;
            createdBy: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
            definition: components["schemas"]["WorkflowDefinition"];
            /** @description The definition as it was sent (YAML or JSON) */
            source: string;
            /** @enum {string} */
            sourceFormat: "yaml" | "json";
        };
        WorkflowInput: {
            name: string;
            /** @enum {string} */
            type: "string" | "number" | "integer" | "boolean" | "object" | "array";
            required: boolean;
            secret: boolean;
            /** @description null for a secret input: its default is never sent */
            default: unknown;
            description: string | null;
        };
        WorkflowVersionDetail: {
            id: string;
            workflowId: string;
            version: number;
            checksum: string;
            createdBy: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
            definition: components["schemas"]["WorkflowDefinition"];
            /** @description The definition as it was sent (YAML or JSON) */
            source: string;
            /** @enum {string} */
            sourceFormat: "yaml" | "json";
            name: string;
            doc: string | null;
            inputs: components["schemas"]["WorkflowInput"][];
        };
        RunStarted: {
            executionId: string;
            status: components["schemas"]["ExecutionStatus"];
            title: string | null;
        };
        RunsStarted: {
            items: components["schemas"]["RunStarted"][];
        };
        /** @enum {string} */
        TaskRunStatus: "pending" | "running" | "waiting" | "succeeded" | "failed" | "cancelled" | "timed_out" | "skipped";
        ExecutionSummary: {
            id: string;
            workflowId: string;
            workflowVersion: number;
            status: components["schemas"]["ExecutionStatus"];
            /** @enum {string} */
            trigger: "api" | "cli" | "schedule" | "manual" | "webhook" | "workflow";
            /** @description The definition's trigger that started it (schedule, webhook) */
            triggerId: string | null;
            triggeredBy: string | null;
            correlationId: string | null;
            title: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            startedAt: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            completedAt: string | null;
            durationMs: number | null;
            error: components["schemas"]["TaskFailure"] | null;
        };
        ExecutionListItem: {
            id: string;
            workflowId: string;
            workflowVersion: number;
            status: components["schemas"]["ExecutionStatus"];
            /** @enum {string} */
            trigger: "api" | "cli" | "schedule" | "manual" | "webhook" | "workflow";
            /** @description The definition's trigger that started it (schedule, webhook) */
            triggerId: string | null;
            triggeredBy: string | null;
            correlationId: string | null;
            title: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            startedAt: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            completedAt: string | null;
            durationMs: number | null;
            error: components["schemas"]["TaskFailure"] | null;
            /** @description The workflow's name; null when the workflow was deleted */
            workflowName: string | null;
            triggeredByUsername: string | null;
        };
        ExecutionPage: {
            items: components["schemas"]["ExecutionListItem"][];
            nextCursor: string | null;
        };
        ExecutionCount: {
            count: number;
        };
        TaskRun: {
            id: string;
            taskId: string;
            /** @enum {string} */
            type: "shell" | "http" | "log" | "sleep" | "plugin" | "manual" | "workflow";
            attempt: number;
            status: components["schemas"]["TaskRunStatus"];
            input: unknown;
            output: unknown;
            error: components["schemas"]["TaskFailure"] | null;
            workerId: string | null;
            notes: string | null;
            completedBy: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            startedAt: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            completedAt: string | null;
            durationMs: number | null;
            /**
             * @description main, or on_failure for a task run after the execution failed
             * @enum {string}
             */
            phase: "main" | "on_failure";
            /** @description One item of a for_each task: the item's position, from 0 */
            itemIndex: number | null;
            /** @description That item, masked */
            item: unknown;
            /** @description A workflow task's child execution */
            childExecutionId: string | null;
        };
        ExecutionContext: {
            inputs: {
                [key: string]: unknown;
            };
            tasks: {
                [key: string]: {
                    status: components["schemas"]["TaskRunStatus"];
                    attempt: number;
                    output: unknown;
                };
            };
        };
        ExecutionDetail: {
            id: string;
            workflowId: string;
            workflowVersion: number;
            status: components["schemas"]["ExecutionStatus"];
            /** @enum {string} */
            trigger: "api" | "cli" | "schedule" | "manual" | "webhook" | "workflow";
            /** @description The definition's trigger that started it (schedule, webhook) */
            triggerId: string | null;
            triggeredBy: string | null;
            correlationId: string | null;
            title: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            startedAt: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            completedAt: string | null;
            durationMs: number | null;
            error: components["schemas"]["TaskFailure"] | null;
            triggeredByUsername: string | null;
            notes: string | null;
            /** @description Masked: secret inputs read *** */
            inputs: {
                [key: string]: unknown;
            };
            context: components["schemas"]["ExecutionContext"] | null;
            /** @description Lines ever written, including any retention deleted */
            logEntryCount: number;
            accessScope: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            updatedAt: string;
            /** @description A child execution: the execution whose workflow task started it */
            parentExecutionId: string | null;
            parentTaskRunId: string | null;
            taskRuns: components["schemas"]["TaskRun"][];
        };
        UserRef: {
            id: string;
            username: string;
        };
        GroupRef: {
            id: string;
            name: string;
        };
        Directory: {
            users: components["schemas"]["UserRef"][];
            groups: components["schemas"]["GroupRef"][];
        };
        ExecutionShares: {
            /** @description private (the owner and admins) or shared (also the users and groups listed) */
            scope: string;
            users: components["schemas"]["UserRef"][];
            groups: components["schemas"]["GroupRef"][];
        };
        Deleted: {
            id: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            deletedAt: string;
        };
        ExecutionDocument: {
            workflowId: string;
            workflowVersion: number;
            markdown: string;
            /** @description Sanitised HTML: no script, no event handlers, no javascript: links */
            html: string;
        };
        AuditActor: {
            [key: string]: unknown;
        };
        AuditEvent: {
            id: string;
            subjectType: string;
            subjectId: string;
            /** @description Position in its subject's chain: 1, 2, 3… */
            seq: number;
            executionId: string | null;
            eventType: string;
            actor: components["schemas"]["AuditActor"];
            metadata: {
                [key: string]: unknown;
            };
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
            prevHash: string | null;
            hash: string;
            /** @description The deployment audit key that authenticated the event */
            keyId: string | null;
            /** @description HMAC-SHA256 of `hash` under that key (null on events from before authentication) */
            mac: string | null;
        };
        ChainVerification: {
            ok: boolean;
            checked: number;
            problems: string[];
        };
        ExecutionAudit: {
            items: components["schemas"]["AuditEvent"][];
            verification: components["schemas"]["ChainVerification"];
        };
        StepResultAuditEntry: {
            id: string;
            taskRunId: string;
            transitionId: string;
            executionId: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            recordedAt: string;
            workerId: string | null;
            recordedBy: string | null;
            correlationId: string | null;
            success: boolean;
            executionTimeMs: number | null;
            stepName: string;
            attempt: number;
            fromState: components["schemas"]["TaskRunStatus"] | null;
            toState: components["schemas"]["TaskRunStatus"];
            result: unknown;
        };
        AuditCheckpoint: {
            id: string;
            seq: number;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
            reason: string;
            heads: (string | number)[][];
            prevHash: string | null;
            hash: string;
            keyId: string;
            signature: string;
        };
        ExportedCheckpoint: {
            id: string;
            seq: number;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
            reason: string;
            heads: (string | number)[][];
            prevHash: string | null;
            hash: string;
            keyId: string;
            signature: string;
            publicKey: string;
        };
        AuditVerification: {
            ok: boolean;
            chains: number;
            events: number;
            checkpoints: number;
            problems: string[];
        };
        UserView: {
            id: string;
            username: string;
            /** @enum {string} */
            role: "admin" | "member";
        };
        UserDetail: {
            id: string;
            username: string;
            /** @enum {string} */
            role: "admin" | "member";
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            updatedAt: string;
            /**
             * Format: date-time
             * @description A disabled user can neither sign in nor use their tokens
             */
            disabledAt: string | null;
            canEditWorkflows: boolean;
        };
        GroupView: {
            id: string;
            name: string;
            createdBy: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
            members: components["schemas"]["UserRef"][];
        };
        LoginResult: {
            token: string;
            user: components["schemas"]["UserView"];
        };
        Me: {
            id: string | null;
            username: string | null;
            /** @enum {string|null} */
            role: "admin" | "member" | null;
            /** @enum {string} */
            via: "user" | "token" | "worker" | "system";
        };
        BrowserSession: {
            user: components["schemas"]["UserView"];
            /** @description Send it as X-CSRF-Token on every request that changes something */
            csrfToken: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            expiresAt: string;
        };
        ApiToken: {
            id: string;
            userId: string;
            name: string;
            prefix: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            expiresAt: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            lastUsedAt: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            revokedAt: string | null;
        };
        CreatedApiToken: {
            id: string;
            userId: string;
            name: string;
            prefix: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            expiresAt: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            lastUsedAt: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            revokedAt: string | null;
            token: string;
        };
        Attachment: {
            id: string;
            executionId: string;
            taskRunId: string;
            /** @description The uploader's file name, sanitised: display text only */
            fileName: string;
            sizeBytes: number;
            /** @description Sniffed from the bytes by the server */
            mediaType: string;
            sha256: string;
            /** @enum {string} */
            thumbnailStatus: "pending" | "ready" | "failed" | "none";
            uploadedBy: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            createdAt: string;
        };
        AttachmentLimits: {
            /** @description The largest file accepted, in bytes (ATTACHMENT_MAX_BYTES) */
            maxBytes: number;
        };
        AttachmentUrl: {
            url: string;
            /**
             * Format: date-time
             * @description ISO-8601 UTC, milliseconds
             */
            expiresAt: string | null;
        };
        AttachmentCheck: {
            checked: number;
            missing: {
                id: string;
                executionId: string;
                taskRunId: string;
                fileName: string;
                storageKey: string;
            }[];
            altered: {
                id: string;
                executionId: string;
                taskRunId: string;
                fileName: string;
                storageKey: string;
                expectedSha256: string;
                actualSha256: string;
                expectedSizeBytes: number;
                actualSizeBytes: number;
            }[];
            orphans: string[];
            /** @description Temporary files of uploads begun over an hour ago that never finished */
            staleUploads: string[];
            staleUploadsRemoved: boolean;
            ok: boolean;
        };
        RetentionPolicy: {
            logDays: number;
            auditDays: number;
            recordDays?: number | null;
        };
        RetentionStats: {
            policy: components["schemas"]["RetentionPolicy"];
            tables: {
                table: string;
                rows: number;
                bytes: number | null;
            }[];
            executionsByStatus: {
                [key: string]: number;
            };
            oldest: {
                /**
                 * Format: date-time
                 * @description ISO-8601 UTC, milliseconds
                 */
                execution: string | null;
                /**
                 * Format: date-time
                 * @description ISO-8601 UTC, milliseconds
                 */
                logLine: string | null;
                /**
                 * Format: date-time
                 * @description ISO-8601 UTC, milliseconds
                 */
                auditEvent: string | null;
            };
        };
        CleanupReport: {
            dryRun: boolean;
            logLines: {
                /**
                 * Format: date-time
                 * @description ISO-8601 UTC, milliseconds
                 */
                before: string;
                deleted: number;
            };
            audit: {
                /**
                 * Format: date-time
                 * @description ISO-8601 UTC, milliseconds
                 */
                before: string;
                chains: number;
                events: number;
            };
            triggerFires: {
                /**
                 * Format: date-time
                 * @description ISO-8601 UTC, milliseconds
                 */
                before: string;
                deleted: number;
            };
        };
        Health: {
            status: string;
        };
        Readiness: {
            status: string;
            store: string;
            cause?: string;
            detail?: string;
            since?: string;
        };
        Schedule: {
            workflowId: string;
            triggerId: string;
            cron: string;
            timezone: string;
            /** @description The next due times, soonest first (the first may be due now) */
            nextRuns: string[];
            lastFire: {
                /**
                 * Format: date-time
                 * @description ISO-8601 UTC, milliseconds
                 */
                dueAt: string | null;
                /** @enum {string} */
                status: "started" | "skipped" | "failed";
                reason: string | null;
                executionId: string | null;
                /**
                 * Format: date-time
                 * @description ISO-8601 UTC, milliseconds
                 */
                recordedAt: string;
            } | null;
        };
        WebhookSecret: {
            workflowId: string;
            triggerId: string;
            secret: string;
            /** @description The path to POST signed requests to */
            url: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
