import readline from 'node:readline';

/**
 * Asks one question on the terminal (prompt on stderr, so stdout stays the command's output).
 * With `hidden`, typed characters are not echoed.
 */
export async function ask(question: string, options: { hidden?: boolean } = {}): Promise<string> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  let muted = false;
  if (options.hidden) {
    // readline echoes through this private method; swallowing it is the usual way to read a password.
    const internal = rl as unknown as { _writeToOutput: (text: string) => void };
    const write = internal._writeToOutput.bind(rl);
    internal._writeToOutput = (text: string) => {
      if (!muted || text.includes('\n') || text.includes('\r')) write(muted ? '\n' : text);
    };
  }
  try {
    return await new Promise<string>((resolve, reject) => {
      rl.once('close', () => reject(new Error('input closed')));
      rl.question(question, (answer) => resolve(answer));
      muted = options.hidden === true;
    });
  } finally {
    rl.removeAllListeners('close');
    rl.close();
  }
}
