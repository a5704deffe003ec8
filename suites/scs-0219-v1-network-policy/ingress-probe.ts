import type { V1Ingress } from "@kubernetes/client-node";
import type { Overview } from "./shoulds.ts";

/**
 * The Ingress SHOULD beyond the class: when a default IngressClass exists, an Ingress of that class in the
 * check's namespace x (backend: one of the check's Services) must get an address from a controller within a
 * named timeout. Pure parts here; check.ts creates, waits and deletes.
 */
export interface IngressClassFact {
  name: string;
  controller: string;
  isDefault: boolean;
}

/** The class to probe: the default one (the first by name when several claim it; that has its own warning). */
export function defaultIngressClass(classes: readonly IngressClassFact[]): IngressClassFact | undefined {
  return classes.filter((c) => c.isDefault).sort((a, b) => a.name.localeCompare(b.name))[0];
}

export function probeIngress(opts: {
  name: string;
  className: string;
  service: string;
  port: number;
  labels: Record<string, string>;
}): V1Ingress {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name: opts.name, labels: opts.labels },
    spec: {
      ingressClassName: opts.className,
      rules: [
        {
          http: {
            paths: [
              {
                path: "/",
                pathType: "Prefix",
                backend: { service: { name: opts.service, port: { number: opts.port } } },
              },
            ],
          },
        },
      ],
    },
  };
}

/** The address a controller published (ip or hostname), undefined while there is none. */
export function ingressAddress(ing: V1Ingress | undefined): string | undefined {
  for (const i of ing?.status?.loadBalancer?.ingress ?? []) {
    const a = i.ip || i.hostname;
    if (a) return a;
  }
  return undefined;
}

export function judgeIngress(r: {
  cls: IngressClassFact;
  address: string | undefined;
  waitedMs: number;
  timeoutMs: number;
}): Overview {
  const s = (ms: number) => `${Math.round(ms / 1000)} s`;
  const named = `default IngressClass ${r.cls.name} (controller ${r.cls.controller})`;
  if (r.address)
    return {
      details: [
        `${named}: a controller answered, the check's Ingress had address ${r.address} when read ${s(r.waitedMs)} after its creation`,
      ],
      warnings: [],
    };
  return {
    details: [],
    warnings: [
      `scs-0219-v1 SHOULD: ${named} exists but no controller answered: Ingress got no address within ${s(r.timeoutMs)}`,
    ],
  };
}
