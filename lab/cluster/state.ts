import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { ArtifactSet } from "../build/components.ts";
import { labFile } from "./paths.ts";
import type { LabNode } from "./topology.ts";

/** What `up` made, so that the other verbs know the lab without re-deriving it. */
export type LabRecord = {
  scenario: string;
  kubernetesVersion: string;
  /** The artifact set `up` imported (the scenario's); absent in records written before it existed: `all`. */
  artifacts?: ArtifactSet;
  nodes: LabNode[];
  /** Names of nodes that `node kill` stopped and `node restore` has not brought back. */
  killed: string[];
  startedAt: string;
};

export function readLab(): LabRecord | undefined {
  if (!existsSync(labFile())) return undefined;
  return JSON.parse(readFileSync(labFile(), "utf8")) as LabRecord;
}

export function requireLab(): LabRecord {
  const lab = readLab();
  if (!lab) throw new Error("no lab is up (run `npm run lab -- up`)");
  return lab;
}

export function writeLab(lab: LabRecord): void {
  mkdirSync(dirname(labFile()), { recursive: true });
  writeFileSync(labFile(), `${JSON.stringify(lab, null, 2)}\n`);
}
