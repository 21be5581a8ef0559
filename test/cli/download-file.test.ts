import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AttachmentDownload } from '../../src/client/record-types.ts';
import { saveDownload } from '../../src/cli/download-file.ts';
import { CliError } from '../../src/cli/cli-error.ts';

/**
 * Where `attachment get` writes, whatever name the answer carries: the file name a server (or
 * storage host) sends is sanitised to a base name, so nothing lands outside the chosen directory.
 */
const ID = '01900000-0000-7000-8000-0000000000bb';
let dir: string;

function download(fileName: string | null, content: string, sizeBytes: number | null = Buffer.byteLength(content)): AttachmentDownload {
  return { fileName, mediaType: 'text/plain', sizeBytes, body: new Response(content).body! };
}

/** Every file under the test directory's parent, relative to it: proof nothing escaped. */
function written(): string[] {
  return (fs.readdirSync(path.dirname(dir), { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(path.dirname(dir), f)).isFile())
    .sort();
}

beforeEach(() => {
  dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'runledger-download-')), 'cwd');
  fs.mkdirSync(dir);
});

afterEach(() => {
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
});

describe('saveDownload', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\windows\\win.ini', 'win.ini'],
    ['/absolute/path/report.pdf', 'report.pdf'],
    ['..', 'file'],
    ['a%2F..%2Fb.txt', 'a_2F.._2Fb.txt'],
    ['evil\u202Egnp.exe', 'evilgnp.exe'],
    ['nul\0byte.txt', 'nulbyte.txt'],
  ])('saves %j as %j in the current directory', async (sent, expected) => {
    const saved = await saveDownload(download(sent, 'x'), { id: ID, output: undefined, force: false, cwd: dir });
    expect(saved.path).toBe(path.join(dir, expected));
    expect(written()).toEqual([path.join('cwd', expected)]);
  });

  it('names a file without a name after the attachment id', async () => {
    const saved = await saveDownload(download(null, 'x'), { id: ID, output: undefined, force: false, cwd: dir });
    expect(path.basename(saved.path)).toBe(`attachment-${ID}`);
  });

  it('leaves nothing behind when the download stops short, and never replaces a file unless forced', async () => {
    const short = saveDownload(download('a.txt', 'only part', 100), { id: ID, output: undefined, force: false, cwd: dir });
    await expect(short).rejects.toThrow(new CliError(`the download of ${ID} stopped after 9 of 100 bytes; nothing was saved`));
    expect(written()).toEqual([]);

    fs.writeFileSync(path.join(dir, 'a.txt'), 'mine');
    await expect(saveDownload(download('a.txt', 'theirs'), { id: ID, output: undefined, force: false, cwd: dir })).rejects.toThrow(
      /a\.txt: file exists/,
    );
    const forcedShort = saveDownload(download('a.txt', 'theirs', 99), { id: ID, output: undefined, force: true, cwd: dir });
    await expect(forcedShort).rejects.toThrow(CliError);
    expect(fs.readFileSync(path.join(dir, 'a.txt'), 'utf8')).toBe('mine');
    expect(written()).toEqual([path.join('cwd', 'a.txt')]);
    await saveDownload(download('a.txt', 'theirs'), { id: ID, output: undefined, force: true, cwd: dir });
    expect(fs.readFileSync(path.join(dir, 'a.txt'), 'utf8')).toBe('theirs');
  });

  it('writes -o FILE as given, and into -o DIR under the sanitised name', async () => {
    fs.mkdirSync(path.join(dir, 'out'));
    await saveDownload(download('../x.txt', 'one'), { id: ID, output: 'out', force: false, cwd: dir });
    await saveDownload(download('../x.txt', 'two'), { id: ID, output: 'out/chosen name.txt', force: false, cwd: dir });
    expect(fs.readFileSync(path.join(dir, 'out', 'x.txt'), 'utf8')).toBe('one');
    expect(fs.readFileSync(path.join(dir, 'out', 'chosen name.txt'), 'utf8')).toBe('two');
    await expect(saveDownload(download('x', 'y'), { id: ID, output: 'missing/x', force: false, cwd: dir })).rejects.toThrow(
      'missing: no such directory',
    );
  });
});
