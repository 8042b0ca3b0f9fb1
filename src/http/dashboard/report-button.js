// The "Download report (PDF)" control: the server's report (docs/reports.md) for the period on screen, made by the
// API (/analytics/api/report). A report covers a calendar day, week or month, so "All time" has none.

import { downloadFile } from './api.js';

const REPORT_PERIODS = ['day', 'week', 'month'];
const PERIOD_NAMES = { day: 'today', week: 'this week', month: 'this month' };
const LABEL = 'Download report (PDF)';

/** Enables the control for a period a report covers, and says why not otherwise. */
export function updateReportButton(button, period) {
  if (button.getAttribute('aria-busy') === 'true') return;
  const covered = REPORT_PERIODS.includes(period);
  button.disabled = !covered;
  button.title = covered
    ? `The report for ${PERIOD_NAMES[period]} as a PDF`
    : 'A report covers a day, a week or a month: pick Today, This week or This month';
}

/**
 * Wires the control: `period()` is the period on screen; `onError(error)` shows a failed download (a report already
 * being made for this sign-in, a busy server, an ended session).
 */
export function wireReportButton(button, { period, onError }) {
  button.textContent = LABEL;
  button.addEventListener('click', async () => {
    const current = period();
    if (!REPORT_PERIODS.includes(current) || button.getAttribute('aria-busy') === 'true') return;
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    button.textContent = 'Making the report…';
    try {
      await downloadFile('report', { period: current }, 'clipscope-report.pdf');
    } catch (error) {
      onError(error);
    } finally {
      button.removeAttribute('aria-busy');
      button.textContent = LABEL;
      updateReportButton(button, period());
    }
  });
}
