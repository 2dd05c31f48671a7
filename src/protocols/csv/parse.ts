/**
 * CSV as RFC 4180 writes it: fields separated by commas, records by CRLF or LF, a field in double
 * quotes may hold commas, line breaks and doubled quotes. The first record names the columns.
 * Bounded: at most `maxRows` records and `maxFieldLength` characters a field.
 */

export class CsvError extends Error {
  readonly line: number;
  constructor(message: string, line: number) {
    super(`line ${line}: ${message}`);
    this.line = line;
  }
}

export interface CsvTable {
  readonly columns: readonly string[];
  /** Each record as column → value, with the line it started on. */
  readonly rows: readonly { readonly line: number; readonly values: Readonly<Record<string, string>> }[];
}

export function parseCsv(text: string, limits: { maxRows?: number; maxFieldLength?: number } = {}): CsvTable {
  const maxRows = limits.maxRows ?? 50_000;
  const maxField = limits.maxFieldLength ?? 4096;
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let afterQuote = false;
  let line = 1;
  let recordLine = 1;
  const endField = () => {
    if (field.length > maxField) throw new CsvError(`a field is longer than ${maxField} characters`, recordLine);
    fields.push(field);
    field = '';
    afterQuote = false;
  };
  const endRecord = () => {
    endField();
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: recordLine, fields });
    if (records.length > maxRows + 1) throw new CsvError(`more than ${maxRows} records`, recordLine);
    fields = [];
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (quoted) {
      if (c === '"') {
        if (source[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
          afterQuote = true;
        }
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"') {
      if (field !== '' || afterQuote) throw new CsvError('a quote inside an unquoted field', line);
      quoted = true;
    } else if (c === ',') {
      endField();
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && source[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      if (afterQuote) throw new CsvError('text after a closing quote', line);
      field += c;
    }
  }
  if (quoted) throw new CsvError('a quoted field is not closed', recordLine);
  if (field !== '' || fields.length > 0) endRecord();
  if (records.length === 0) throw new CsvError('the file is empty; the first line names the columns', 1);
  const [header, ...body] = records;
  const columns = header!.fields.map((c) => c.trim());
  const seen = new Set<string>();
  for (const column of columns) {
    if (!column) throw new CsvError('a column has no name', header!.line);
    if (seen.has(column)) throw new CsvError(`the column ${column} appears twice`, header!.line);
    seen.add(column);
  }
  return {
    columns,
    rows: body.map(({ line: at, fields: values }) => {
      if (values.length !== columns.length) throw new CsvError(`${values.length} fields where the header has ${columns.length}`, at);
      return { line: at, values: Object.fromEntries(columns.map((c, i) => [c, values[i]!])) };
    }),
  };
}
