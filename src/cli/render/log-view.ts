import type { LogLine } from '../../client/types.ts';
import { colourLevel, type Colors } from './format.ts';
import { neutralise } from './terminal-text.ts';

/** The widest level, `ERROR`: levels are padded to it so sources and messages line up. */
const LEVEL_WIDTH = 5;

/** `14:05:09.123Z`: the UTC time of day with milliseconds (`--json` has the full timestamp). */
export function formatLogTime(iso: string): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  return `${new Date(time).toISOString().slice(11, 23)}Z`;
}

/**
 * One log line as `<time> <LEVEL> <source> <message>`, the level coloured. A message of several lines
 * continues on the following lines, indented to where the message starts. The source and message are
 * recorded text (a task printed them): their control characters are shown as escapes, never sent to
 * the terminal; the only escape codes in the result are the level's colour.
 */
export function renderLogLine(line: LogLine, c: Colors): string {
  const time = formatLogTime(line.ts);
  const level = colourLevel(line.level, c) + ' '.repeat(Math.max(0, LEVEL_WIDTH - line.level.length));
  const source = neutralise(line.source);
  const prefix = `${time} ${level} ${source} `;
  const indent = ' '.repeat(time.length + 1 + Math.max(LEVEL_WIDTH, line.level.length) + 1 + source.length + 1);
  const [first = '', ...rest] = line.message.split(/\r\n|\r|\n/).map(neutralise);
  return [first === '' ? prefix.trimEnd() : prefix + first, ...rest.map((text) => (text === '' ? '' : indent + text))].join('\n');
}
