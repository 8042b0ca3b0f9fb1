// The report's own error: a bound it would pass (pages, bytes). Apart from pdf.ts so that callers can recognise it
// without loading the PDF and chart libraries, which are imported only when a report is rendered.
import { ClipscopeError } from '../errors';

export class ReportTooLargeError extends ClipscopeError {
  constructor(message: string) {
    super('report_too_large', message, { userFacing: true });
  }
}
