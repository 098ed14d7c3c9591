import type * as k8s from '@kubernetes/client-node';
import type { Finding } from '../findings.js';
import { configMapFile, lineOf, objectName, type LiveRelease } from './live-objects.js';
import { hasUriPassword, isWellKnown, literal, sensitiveEnv, WELL_KNOWN_KEYS } from './rules/secret-literals.js';

interface Pod {
  file: string;
  text?: string;
  spec: k8s.V1PodSpec | undefined;
}

/** Every pod spec of the release's Airflow components, and the task pods' template. */
function pods(live: LiveRelease): Pod[] {
  const out: Pod[] = [...live.components.values()].map((w) => ({ file: objectName(w), spec: w.object.spec?.template.spec }));
  if (live.podTemplate) out.push({ file: configMapFile(live, 'pod_template_file.yaml'), text: live.configMap?.data?.['pod_template_file.yaml'], spec: live.podTemplate.spec });
  return out;
}

/**
 * `helm-secret-literal` / `helm-secret-key-well-known` in pod specs: a credential set as `value:` rather than
 * `valueFrom.secretKeyRef`. One finding per object and variable, naming the containers that carry it.
 */
export function liveEnvLiterals(live: LiveRelease): Finding[] {
  const out: Finding[] = [];
  for (const pod of pods(live)) {
    const found = new Map<string, { value: string; containers: string[] }>();
    for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
      for (const e of c.env ?? []) {
        const value = e.valueFrom ? undefined : literal(e.value);
        if (!value || !(sensitiveEnv(e.name, value) || hasUriPassword(value))) continue;
        found.set(e.name, { value, containers: [...(found.get(e.name)?.containers ?? []), c.name] });
      }
    }
    for (const [name, { value, containers }] of found) out.push(envFinding(pod, name, value, containers));
  }
  return out;
}

function envFinding(pod: Pod, name: string, value: string, containers: string[]): Finding {
  const where = { tool: 'dagship' as const, severity: 'error' as const, file: pod.file, line: lineOf(pod.text, `name: ${name}`) };
  const what = `${name} (container${containers.length > 1 ? 's' : ''} ${containers.join(', ')})`;
  if (/SECRET_KEY$|JWT_SECRET$/.test(name) && isWellKnown(value)) {
    return {
      ...where,
      rule: 'helm-secret-key-well-known',
      message: `${what} is '${value}', ${WELL_KNOWN_KEYS[value.trim().toLowerCase()] ?? 'a well-known value'}: anyone who knows it can sign session cookies or tokens and log in as any user`,
      help: 'generate a new key, keep it in a Secret, and reference it with valueFrom.secretKeyRef (chart: apiSecretKeySecretName / webserverSecretKeySecretName / jwtSecretName)',
    };
  }
  return {
    ...where,
    rule: 'helm-secret-literal',
    message: `${what} is set as a literal value in the pod spec: anyone who may read the ${pod.file.split('/')[0]} reads it, and every stored revision keeps it`,
    help: 'keep it in a Secret and reference it with valueFrom.secretKeyRef (chart: fernetKeySecretName, data.metadataSecretName, the `secret` list or extraEnvFrom)',
  };
}

/** `helm-ingress-without-tls`: a host of one of the release's Ingresses that no TLS entry covers. */
export function liveIngressTls(live: LiveRelease): Finding[] {
  return live.objects.ingresses.flatMap((ing) => {
    const tls = ing.spec?.tls ?? [];
    // A TLS entry without hosts takes the controller's default certificate for every host.
    const covered = (host: string | undefined) => tls.some((t) => !t.hosts?.length || (host !== undefined && t.hosts.includes(host)));
    const hosts = (ing.spec?.rules ?? []).map((r) => r.host);
    const plain = (hosts.length ? hosts : [undefined]).filter((h) => !covered(h));
    if (!plain.length) return [];
    const name = ing.metadata?.name ?? '';
    const component = ing.metadata?.labels?.component ?? 'the Airflow UI';
    return [
      {
        tool: 'dagship',
        rule: 'helm-ingress-without-tls',
        severity: 'error',
        file: `ingress/${name}`,
        message: `ingress ${name} (${component}) serves ${plain.map((h) => h ?? 'every host').join(', ')} over plain HTTP: logins, session cookies, tokens and connection passwords typed into forms cross the network in clear text`,
        help: 'give the ingress a tls entry for each host (chart: ingress.apiServer.hosts[].tls.enabled with secretName); if TLS really ends at a load balancer in front of it, record this finding in the baseline',
      } satisfies Finding,
    ];
  });
}
