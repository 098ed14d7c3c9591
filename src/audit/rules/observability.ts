import { airflowBool, airflowOption, chartTrue, finding, type AuditContext } from '../context.js';
import type { Finding } from '../../findings.js';

/** Metrics: the chart's StatsD exporter, an external StatsD, or OpenTelemetry. */
export function observabilityRules(ctx: AuditContext): Finding[] {
  if (chartTrue(ctx.values.get('statsd.enabled'))) return [];
  const statsd = airflowOption(ctx, 'metrics', 'statsd_on');
  const otel = airflowOption(ctx, 'metrics', 'otel_on');
  if ((statsd && airflowBool(statsd.value)) || (otel && airflowBool(otel.value))) return [];
  return [
    finding(ctx, {
      rule: 'helm-metrics-disabled',
      severity: 'warning',
      at: ['statsd.enabled', statsd?.at ?? 'config.metrics.statsd_on'],
      message:
        'Airflow emits no metrics: statsd.enabled is off and neither [metrics] statsd_on nor otel_on is set, so scheduler lag, queued tasks, pool usage and DAG parse times are invisible until something breaks',
      help: "set statsd.enabled: true (the chart's Prometheus exporter), or config.metrics.statsd_on: 'True' with statsd_host/statsd_port for your own StatsD, or config.metrics.otel_on: 'True' for OpenTelemetry",
    }),
  ];
}
