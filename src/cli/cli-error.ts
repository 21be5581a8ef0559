import { ApiError } from '../client/api-error.ts';

/** A user error the CLI reports as one line (`runledger: <message>`) with exit code 1. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

/**
 * The one line printed for anything thrown: the server's detail and code for API errors, the
 * message for everything else. With RUNLEDGER_DEBUG=1, unexpected errors add their stack.
 */
export function describeError(e: unknown, debug: boolean): string {
  const error = e instanceof Error ? e : new Error(typeof e === 'string' ? e : String(e));
  let line: string;
  if (error instanceof ApiError) {
    line = `${namingFlags(error.detail)} (${error.code})`;
    if (error.code === 'UNAUTHENTICATED') line += '; sign in with "runledger login", or pass --token or RUNLEDGER_TOKEN';
  } else if (error instanceof CliError) {
    line = error.message;
  } else {
    const code = (error as { code?: unknown }).code;
    line = typeof code === 'string' && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
  }
  line = `runledger: ${oneLine(line || error.name)}`;
  const expected = error instanceof ApiError || error instanceof CliError;
  return debug && !expected && error.stack ? `${line}\n${error.stack}` : line;
}

export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** API query parameters whose CLI flag has another name; the others are the flag in kebab case. */
const FLAG_OF_PARAMETER: Record<string, string> = { from: '--since', to: '--until' };

/**
 * A person typed flags, not query parameters: `querystring.limit.0: …` from the server's request
 * validation reads `--limit: …` on the command line.
 */
export function namingFlags(detail: string): string {
  return detail.replace(
    /\bquerystring\.([A-Za-z]+)(?:\.\d+)?/g,
    (_, name: string) => FLAG_OF_PARAMETER[name] ?? `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
  );
}
