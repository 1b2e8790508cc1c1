/** The export slice of the contract: "Use in another app", planned, run, remembered. */
import type { HandlerSlice, RequestsOf } from '../contract/handlers';
import type { ExportService } from './service';

export function exportHandlers(exports: ExportService): HandlerSlice<RequestsOf<'export'>> {
  return {
    'export.plan': (input) => exports.plan(input),
    'export.run': (input) => exports.run(input),
    'export.list': async () => exports.records.views(),
    'export.forget': async ({ id }) => ({ forgotten: exports.records.forget(id) }),
  };
}
