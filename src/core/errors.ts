/**
 * One error hierarchy for the whole Observatory. Every error carries a code, an HTTP-like status,
 * a plain-English message for council staff, and, where it applies, the file/row/column at fault
 * and what to do about it. The CLI and (later) the API render these in one place each.
 */
export interface ErrorLocation {
  file?: string;
  /** Spreadsheet-style row number: the header is row 1, the first record row 2. */
  row?: number;
  column?: string;
}

export class ObservatoryError extends Error {
  readonly code: string;
  readonly status: number;
  readonly location: ErrorLocation;
  readonly fix?: string;

  constructor(
    code: string,
    message: string,
    opts: { status?: number; location?: ErrorLocation; fix?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = opts.status ?? 400;
    this.location = opts.location ?? {};
    this.fix = opts.fix;
  }

  /** The message with its location and fix, as printed by the CLI. */
  describe(): string {
    const where = [
      this.location.file ? `file ${this.location.file}` : '',
      this.location.row !== undefined ? `row ${this.location.row}` : '',
      this.location.column ? `column "${this.location.column}"` : '',
    ]
      .filter(Boolean)
      .join(', ');
    return [this.message + (where ? ` (${where})` : ''), this.fix ? `What to do: ${this.fix}` : '']
      .filter(Boolean)
      .join('\n');
  }

  toJSON() {
    return { code: this.code, message: this.message, ...this.location, fix: this.fix };
  }
}

/** The input file cannot be read or does not have the shape expected. */
export class InputError extends ObservatoryError {
  constructor(message: string, opts: { location?: ErrorLocation; fix?: string; cause?: unknown; code?: string } = {}) {
    super(opts.code ?? 'input_invalid', message, { status: 400, ...opts });
  }
}

/** Something asked for does not exist in the workspace (a dataset, a classification, a tier). */
export class NotFoundError extends ObservatoryError {
  constructor(message: string, fix?: string) {
    super('not_found', message, { status: 404, fix });
  }
}

/** The workspace is not in a state where the request makes sense (e.g. no base counts loaded). */
export class WorkspaceStateError extends ObservatoryError {
  constructor(message: string, fix?: string) {
    super('workspace_state', message, { status: 409, fix });
  }
}

/** A parameter given by the user is not acceptable. */
export class ParameterError extends ObservatoryError {
  constructor(message: string, fix?: string) {
    super('parameter_invalid', message, { status: 400, fix });
  }
}

/** The viewer may not ask this (e.g. a free-form filter on another organisation's records). */
export class AccessError extends ObservatoryError {
  constructor(message: string, fix?: string) {
    super('not_allowed', message, { status: 403, fix });
  }
}
