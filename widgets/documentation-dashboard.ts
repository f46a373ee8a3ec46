// The reader's documentation dashboard in <schoolhub-documentation> (documentation.dashboard):
// a school picker when the person reads several schools, the child group filter, and the
// curriculum goals worked on, counted over the whole filter. The element keeps the choices
// (they choose what the store loads); the documentation itself is listed like every view's.
import { css, html, nothing, type TemplateResult } from 'lit';
import type { DashboardSummary } from './client/development-store.ts';
import type { DevStrings } from './ui/development-i18n.ts';
import { renderPicker } from './ui/picker.ts';

export const dashboardStyles = css`
  .filters {
    display: flex;
    flex-wrap: wrap;
    gap: 0 1em;
  }
  .summary {
    margin-bottom: 1em;
  }
  .summary table {
    border-collapse: collapse;
  }
  .summary th,
  .summary td {
    text-align: start;
    padding: 0.2em 1em 0.2em 0;
    border-bottom: 1px solid var(--_border);
  }
  .summary td:last-child {
    text-align: end;
    font-variant-numeric: tabular-nums;
  }
`;

export interface DashboardChoice {
  /** The child group filter ('' all). */
  filter: string;
  pickSchool(id: string): void;
  pickGroup(id: string): void;
}

/**
 * The pickers of `dash` (the last answer, so that they stay while another filter loads) and,
 * once `loaded`, its goal summary.
 */
export function renderDashboard(dash: DashboardSummary, loaded: DashboardSummary | undefined, d: DevStrings, choice: DashboardChoice): TemplateResult {
  return html`<div class="filters">
      ${dash.schools.length > 1
        ? renderPicker({ id: 'dash-school', label: d.school, choices: dash.schools, selected: dash.school.id, pick: choice.pickSchool })
        : nothing}
      ${dash.groups.length > 0
        ? renderPicker({ id: 'dash-group', label: d.childGroup, choices: dash.groups, selected: choice.filter, pick: choice.pickGroup, all: d.allGroups })
        : nothing}
    </div>
    ${loaded
      ? html`<section class="summary" part="summary" aria-labelledby="goals-title">
          <h3 id="goals-title">${d.goalsWorkedOn}</h3>
          <p class="muted">${d.inDocumentations(loaded.total)}</p>
          ${loaded.goals.length
            ? html`<table>
                <thead><tr><th scope="col">${d.goal}</th><th scope="col">${d.goalCount}</th></tr></thead>
                <tbody>${loaded.goals.map((g) => html`<tr><td>${g.goal}</td><td>${g.count}</td></tr>`)}</tbody>
              </table>`
            : html`<p class="muted">${d.noGoals}</p>`}
        </section>`
      : nothing}`;
}
