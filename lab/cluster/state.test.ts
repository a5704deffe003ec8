import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";

const run = promisify(execFile);
const stateModule = new URL("./state.ts", import.meta.url).href;

/** A process that appends `count` names to `killed`, each in its own locked read-modify-write. */
function writer(stateDir: string, tag: string, count: number) {
  const script = `
    const { updateLab } = await import(${JSON.stringify(stateModule)});
    for (let i = 0; i < ${count}; i++) updateLab((lab) => { lab.killed.push("${tag}-" + i); });
  `;
  return run(process.execPath, ["--input-type=module", "-e", script], {
    env: { ...process.env, SCS_KAAS_LAB_STATE: stateDir },
  });
}

const made: string[] = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function freshState(): string {
  const dir = mkdtempSync(join(tmpdir(), "scs-lab-state-"));
  made.push(dir);
  writeFileSync(
    join(dir, "lab.json"),
    JSON.stringify({ scenario: "compliant", kubernetesVersion: "v1", nodes: [], killed: [], startedAt: "" }),
  );
  return dir;
}

describe("lab state: locked, atomic read-modify-write", () => {
  it("loses no change when two processes update the record at once", async function () {
    this.timeout(60_000);
    const dir = freshState();
    await Promise.all([writer(dir, "a", 40), writer(dir, "b", 40), writer(dir, "c", 40)]);
    const lab = JSON.parse(readFileSync(join(dir, "lab.json"), "utf8")) as { killed: string[] };
    expect(lab.killed).to.have.length(120);
    expect(new Set(lab.killed).size).to.equal(120);
  });

  it("takes over a lock left by a process that died", async function () {
    this.timeout(30_000);
    const dir = freshState();
    const dead = await run(process.execPath, ["-p", "process.pid"]);
    writeFileSync(join(dir, "lab.json.lock"), `${dead.stdout.trim()}\n`);
    await writer(dir, "after", 1);
    const lab = JSON.parse(readFileSync(join(dir, "lab.json"), "utf8")) as { killed: string[] };
    expect(lab.killed).to.deep.equal(["after-0"]);
  });
});
