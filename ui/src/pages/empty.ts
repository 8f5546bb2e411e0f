/** Empty-state sentences with the next step, shared so that the same advice reads the same everywhere. */
import { html, type TemplateResult } from 'lit';
import { hrefFor } from '../app/routes.js';

export function noFeatures(): TemplateResult {
  return html`No features yet. Import a commissioning plan on the <a href=${hrefFor('import')}>Import page</a> or run
    <code>onsky import plan examples/plan.yaml</code>.`;
}

/** For an empty queue, which may mean no features at all or only none delivered yet. */
export function nothingDelivered(): TemplateResult {
  return html`Proposed features join it once a deployed change delivers them, or when one is delivered
    by hand on its <a href=${hrefFor('features')}>feature page</a>. With no features at all, import a
    commissioning plan on the <a href=${hrefFor('import')}>Import page</a> or run
    <code>onsky import plan examples/plan.yaml</code>.`;
}

export function noObservations(): TemplateResult {
  return html`No observations yet. Import observation-script logs or an archive listing on the
    <a href=${hrefFor('import')}>Import page</a>, or run <code>onsky import obslog FILE</code>.`;
}

export function noChanges(): TemplateResult {
  return html`No engineering changes yet. Import a git history or a change list on the <a href=${hrefFor('import')}>Import page</a>.`;
}
