/**
 * Reading a file someone named on the command line or uploaded: a missing, unreadable or
 * wrong-kind path is the person's to fix, so it gets a plain InputError, never a stack trace.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { InputError } from '../core/index.ts';

/** The InputError for a file system error on a file the user gave. */
export function fileError(e: unknown, path: string): InputError {
  const code = (e as NodeJS.ErrnoException).code;
  const file = basename(path);
  if (code === 'ENOENT' || code === 'ENOTDIR')
    return new InputError(`File not found: ${path}`, {
      location: { file },
      code: 'file_missing',
      fix: 'Check the path and file name.',
    });
  if (code === 'EISDIR')
    return new InputError(`${path} is a folder, not a file.`, {
      location: { file },
      code: 'file_unreadable',
      fix: 'Give the path of the file inside it.',
    });
  if (code === 'EACCES' || code === 'EPERM')
    return new InputError(`The file ${path} cannot be read: permission denied.`, {
      location: { file },
      code: 'file_unreadable',
      fix: 'Check you (or the account running civic) may read it, or copy it somewhere you can.',
    });
  return new InputError(`The file ${path} could not be read (${code ?? 'read error'}).`, {
    location: { file },
    code: 'file_unreadable',
    fix: 'Check the file is complete and on a disk that can be read, then try again.',
  });
}

/** Checks that path is a readable regular file, throwing a plain InputError if not. */
export function checkReadableFile(path: string): void {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw fileError(e, path);
  }
  if (st.isDirectory()) throw fileError(Object.assign(new Error('EISDIR'), { code: 'EISDIR' }), path);
  if (!st.isFile())
    throw new InputError(`${path} is not a regular file.`, {
      location: { file: basename(path) },
      code: 'file_unreadable',
      fix: 'Save the data to a file and import that file.',
    });
}

/** The bytes of a file the user gave. */
export function readInputFile(path: string): Buffer {
  checkReadableFile(path);
  try {
    return readFileSync(path);
  } catch (e) {
    throw fileError(e, path);
  }
}
