import { readFileSync } from "node:fs";
import { expect } from "chai";
import { parse } from "yaml";
import { JUNIT_FILE_NAME } from "../common/junit-contract.ts";
import { SUITE_VERSION } from "../runner/suite-version.ts";
import { SUITE_NODE_ENV } from "../suites/framework/node-actions/safety.ts";
import { CHECK_OPTION_ENV, CONFIG_KEYS } from "./config.ts";
import { definitionProblems } from "./definition-keys.ts";

const KNOWN_CONFIG_KEYS = [...Object.keys(CONFIG_KEYS), ...Object.keys(CHECK_OPTION_ENV)];
// biome-ignore lint/suspicious/noExplicitAny: the test pokes at arbitrary depths of a YAML document
type Doc = Record<string, any>;
const load = () => parse(readFileSync(new URL("../sonobuoy.yaml", import.meta.url), "utf8")) as Doc;

describe("sonobuoy.yaml", () => {
  it("has no key Sonobuoy would ignore, at any level, and no value it would misread", () => {
    expect(definitionProblems(load(), KNOWN_CONFIG_KEYS)).to.deep.equal([]);
  });

  it("the key check catches misspellings at every level", () => {
    const doc = load();
    doc["sonobuoy-config"]["result-type"] = "junit";
    doc["sonobuoy-config"].source_url = "x";
    doc["sonobuoy-config"]["result-format"] = "junitxml";
    doc.spec.securityContext.runAsNonroot = true;
    doc.podSpec.tolerations[0].operater = "Exists";
    doc["extra-volumes"][0].emptydir = {};
    doc["config-map"].focuss = "x";
    doc["config-map"]["enable-disruptive"] = false;
    doc.podSpecs = {};
    expect(definitionProblems(doc, KNOWN_CONFIG_KEYS)).to.have.members([
      "unknown top-level key podSpecs",
      "unknown key sonobuoy-config.result-type",
      "unknown key sonobuoy-config.source_url",
      "sonobuoy-config.result-format junitxml would silently become raw",
      "unknown key spec.securityContext.runAsNonroot",
      "unknown key podSpec.tolerations[0].operater",
      "unknown key extra-volumes[0].emptydir",
      "config-map.focuss is not read by the plugin",
      "config-map.enable-disruptive must be a string (quote it)",
    ]);
  });

  it("is the `scs` junit Job plugin parsing exactly our junit file", () => {
    const sc = load()["sonobuoy-config"];
    expect(sc).to.include({ "plugin-name": "scs", driver: "Job", "result-format": "junit" });
    expect(sc["result-files"]).to.deep.equal([JUNIT_FILE_NAME]);
  });

  it("repeats what podSpec replaces: restartPolicy, service account, control-plane toleration", () => {
    const pod = load().podSpec;
    expect(pod).to.include({ restartPolicy: "Never", serviceAccountName: "sonobuoy-serviceaccount" });
    expect(pod.tolerations).to.deep.include({
      key: "node-role.kubernetes.io/control-plane",
      operator: "Exists",
      effect: "NoSchedule",
    });
    expect(pod.terminationGracePeriodSeconds).to.be.greaterThan(45); // runner: 30 s cleanups + writing results
  });

  it("tells the suite its own node (downward API) so that node actions never touch it", () => {
    expect(load().spec.env).to.deep.include({
      name: SUITE_NODE_ENV,
      valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } },
    });
  });

  it("runs the plugin container restricted-compliant, with the package's version as image tag", () => {
    const spec = load().spec;
    expect(spec.securityContext).to.deep.include({ runAsNonRoot: true, allowPrivilegeEscalation: false });
    expect(spec.securityContext.capabilities.drop).to.deep.equal(["ALL"]);
    expect(spec.securityContext.seccompProfile.type).to.equal("RuntimeDefault");
    expect(spec.image).to.equal(`scs-kaas:${SUITE_VERSION}`);
  });
});
