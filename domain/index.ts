/**
 * The public API of the domain: event, command and state types of every aggregate, their
 * deciders, the deployment policy, evidence matching, WSJF, flow and backpressure arithmetic,
 * stream names and domain errors. Other folders import from here, not from single files.
 */
export * from './event.js';
export * from './errors.js';
export * from './values.js';
export * from './streams.js';
export * from './wsjf.js';
export * from './evidence.js';
export * from './feature-events.js';
export * from './feature.js';
export { evidenceNotBeforeUtc } from './verification.js';
export * from './change.js';
export * from './observation-events.js';
export * from './observation-facts.js';
export * from './observation.js';
export * from './ticket.js';
export * from './finding.js';
export * from './target.js';
export * from './policy.js';
export * from './flow.js';
export * from './backpressure.js';
export * from './registry.js';
