import { ApiProblem, currentCsrfToken, problemOf, sessionEndedNow, type Schemas } from './client.ts';
import type { paths } from './schema';

type UploadPath = keyof paths & '/v1/executions/{id}/tasks/{taskRunId}/attachments';
const UPLOAD_PATH: UploadPath = '/v1/executions/{id}/tasks/{taskRunId}/attachments';

export interface UploadProgress {
  loaded: number;
  total: number;
}

/**
 * Attaches a file to a step. The one request of the UI not made through openapi-fetch: fetch cannot
 * report upload progress, XMLHttpRequest can. The path and the answer's type are still the OpenAPI
 * document's; the browser streams the file from disk (it is never read into the page).
 */
export function uploadEvidence(
  executionId: string,
  taskRunId: string,
  file: File,
  onProgress: (p: UploadProgress) => void,
  signal?: AbortSignal,
): Promise<Schemas['Attachment']> {
  const url = UPLOAD_PATH.replace('{id}', encodeURIComponent(executionId)).replace('{taskRunId}', encodeURIComponent(taskRunId));
  const form = new FormData();
  form.append('file', file, file.name || 'pasted-image.png');
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.withCredentials = true;
    const csrf = currentCsrfToken();
    if (csrf) xhr.setRequestHeader('x-csrf-token', csrf);
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => onProgress({ loaded: e.loaded, total: e.lengthComputable ? e.total : file.size });
    xhr.onload = () => {
      if (xhr.status === 201) return resolve(xhr.response as Schemas['Attachment']);
      if (xhr.status === 401) sessionEndedNow();
      reject(problemOf(xhr.response, { status: xhr.status, statusText: xhr.statusText }));
    };
    xhr.onerror = () => reject(new ApiProblem(0, 'UNREACHABLE', 'The upload did not reach the server'));
    xhr.onabort = () => reject(new ApiProblem(0, 'ABORTED', 'The upload was cancelled'));
    signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(form);
  });
}
