import readline from 'node:readline';
import { CliError } from './cli-error.ts';

/** Asks one question on the terminal; the prompt goes to stderr, so stdout stays the command's output. */
export async function ask(question: string): Promise<string> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  // Only our own listener may be removed: readline cleans up its keypress handler on 'close' too.
  let onClose = (): void => undefined;
  try {
    return await new Promise<string>((resolve, reject) => {
      onClose = () => reject(new Error('input closed'));
      rl.once('close', onClose);
      rl.question(question, resolve);
    });
  } finally {
    rl.off('close', onClose);
    rl.close();
  }
}

/**
 * Asks for a secret without echoing it: the terminal is put in raw mode and keypresses are read
 * one by one (Enter ends, Backspace deletes, Ctrl-C or Ctrl-D aborts).
 */
export async function askHidden(question: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(question);
  readline.emitKeypressEvents(input);
  const wasRaw = input.isRaw;
  input.setRawMode(true);
  input.resume();
  try {
    return await new Promise<string>((resolve, reject) => {
      let value = '';
      input.on('keypress', function onKey(text: string | undefined, key: { name?: string; ctrl?: boolean } | undefined) {
        const done = (error?: Error): void => {
          input.off('keypress', onKey);
          process.stderr.write('\n');
          if (error) reject(error);
          else resolve(value);
        };
        if (key?.ctrl && (key.name === 'c' || key.name === 'd')) return done(new Error('cancelled'));
        if (key?.name === 'return' || key?.name === 'enter') return done();
        if (key?.name === 'backspace') value = value.slice(0, -1);
        else if (text && !key?.ctrl && text >= ' ') value += text;
      });
    });
  } finally {
    input.setRawMode(wasRaw);
    input.pause();
  }
}

/**
 * A value the user left out, asked for on the terminal (hidden for secrets). Without a terminal
 * (a script, CI) the flag is required: a one-line error names it rather than waiting on stdin.
 */
export async function askFor(question: string, flag: string, options: { hidden?: boolean } = {}): Promise<string> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) throw new CliError(`${flag} is required when there is no terminal to ask on`);
  const answer = options.hidden ? await askHidden(question) : await ask(question);
  if (!answer) throw new CliError(`${flag.slice(2)} must not be empty`);
  return answer;
}

/** A new password, asked for twice on the terminal so a typo does not lock anyone out. */
export async function askNewPassword(question: string, flag: string): Promise<string> {
  const password = await askFor(question, flag, { hidden: true });
  if ((await askHidden('Again: ')) !== password) throw new CliError('the passwords do not match');
  return password;
}
