import { stringify } from "yaml";
import { workloadCommand } from "../../suites/framework/images.ts";

export const SMOKE_NS = "lab-smoke";
const AGNHOST = /\/agnhost:/;
const BUSYBOX = /\/busybox:/;
const SUITE = /\/scs-kaas:/;

export function pickImage(refs: readonly string[], pattern: RegExp): string {
  const ref = refs.find((r) => pattern.test(r));
  if (!ref) throw new Error(`no image matching ${pattern} among ${refs.join(", ")}`);
  return ref;
}

/**
 * The smoke workload: an agnhost netexec pod pinned to each worker behind a ClusterIP Service, the suite's
 * lb-echo backend pinned to each worker behind an ETP-Local LoadBalancer Service, a busybox client pod, and a PVC on the default class written by a pod.
 */
export function smokeManifests(workers: readonly string[], refs: readonly string[]): string {
  const agnhost = pickImage(refs, AGNHOST);
  const busybox = pickImage(refs, BUSYBOX);
  const suite = pickImage(refs, SUITE);
  const objects: unknown[] = [{ apiVersion: "v1", kind: "Namespace", metadata: { name: SMOKE_NS } }];
  for (const w of workers) {
    objects.push({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: `echo-${w}`, namespace: SMOKE_NS, labels: { app: "echo" } },
      spec: {
        nodeSelector: { "kubernetes.io/hostname": w },
        containers: [
          {
            name: "netexec",
            image: agnhost,
            imagePullPolicy: "Never",
            args: ["netexec", "--http-port=8080"],
            ports: [{ containerPort: 8080 }],
          },
        ],
      },
    });
    // The lb-client-ip check's echo backend (the suite's image), behind the ETP-Local LoadBalancer.
    objects.push({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: `lb-echo-${w}`, namespace: SMOKE_NS, labels: { app: "lb-echo" } },
      spec: {
        nodeSelector: { "kubernetes.io/hostname": w },
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: "lb-echo",
            image: suite,
            imagePullPolicy: "Never",
            command: workloadCommand("lb-echo", "--port", "8080"),
            ports: [{ containerPort: 8080 }],
            readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 2 },
          },
        ],
      },
    });
  }
  const service = (name: string, app: string, extra: Record<string, unknown>) => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: SMOKE_NS },
    spec: { selector: { app }, ports: [{ port: 80, targetPort: 8080, protocol: "TCP" }], ...extra },
  });
  objects.push(
    service("echo", "echo", {}),
    service("echo-lb", "lb-echo", { type: "LoadBalancer", externalTrafficPolicy: "Local" }),
  );
  objects.push({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "client", namespace: SMOKE_NS },
    spec: {
      containers: [{ name: "sh", image: busybox, imagePullPolicy: "Never", command: ["sleep", "3600"] }],
      terminationGracePeriodSeconds: 1,
    },
  });
  objects.push({
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name: "data", namespace: SMOKE_NS },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "64Mi" } } },
  });
  objects.push({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "writer", namespace: SMOKE_NS },
    spec: {
      restartPolicy: "Never",
      containers: [
        {
          name: "w",
          image: busybox,
          imagePullPolicy: "Never",
          command: ["sh", "-c", "echo lab-smoke > /data/proof && sync && cat /data/proof"],
          volumeMounts: [{ name: "data", mountPath: "/data" }],
        },
      ],
      volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data" } }],
    },
  });
  return objects.map((o) => stringify(o)).join("---\n");
}
