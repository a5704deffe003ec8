import { expect } from "chai";
import { readSonobuoyItems, type SonobuoyLeaf } from "./sonobuoy-items.ts";

async function* bytes(s: string, size = 5): AsyncGenerator<Buffer> {
  const b = Buffer.from(s);
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

async function read(yaml: string) {
  const leaves: SonobuoyLeaf[] = [];
  const tree = await readSonobuoyItems(bytes(yaml), "r.yaml", (l) => leaves.push(l));
  return { tree, leaves };
}

describe("readSonobuoyItems (Sonobuoy's result tree, streamed)", () => {
  it("counts leaves by status; lists in meta/details are not items; folded quoted names are joined", async () => {
    const { tree, leaves } = await read(`name: e2e
status: failed
meta:
  type: summary
items:
- name: junit_01.xml
  status: failed
  meta:
    file: results/global/junit_01.xml
  items:
  - name: 'a long name that Sonobuoy''s yaml writer
      folded over two lines'
    status: failed
    details:
      list:
        - name: not an item
          status: passed
      - also not an item
  - name: b
    status: passed
  - name: c
    status: custom
- name: empty-suite
  status: passed
  items: []
`);
    expect(tree).to.deep.equal({
      rootName: "e2e",
      rootStatus: "failed",
      statusCounts: { failed: 1, passed: 2, custom: 1 },
    });
    expect(leaves.map((l) => [l.name, l.status, l.path.join("/")])).to.deep.equal([
      ["a long name that Sonobuoy's yaml writer folded over two lines", "failed", "junit_01.xml"],
      ["b", "passed", "junit_01.xml"],
      ["c", "custom", "junit_01.xml"],
      ["empty-suite", "passed", ""],
    ]);
  });

  it("accepts items indented under their key, and falls back to a full parse for flow style", async () => {
    const indented = await read(
      "name: x\nstatus: passed\nitems:\n  - name: a\n    status: passed\n  - name: b\n    status: skipped\n",
    );
    expect(indented.tree.statusCounts).to.deep.equal({ passed: 1, skipped: 1 });
    const flow = await read(
      "name: x\nstatus: passed\nitems: [{name: a, status: failed}, {name: b, status: passed}]\n",
    );
    expect(flow.tree.statusCounts).to.deep.equal({ failed: 1, passed: 1 });
    expect(flow.leaves.map((l) => l.name)).to.deep.equal(["a", "b"]);
  });

  it("refuses what is not YAML", async () => {
    try {
      await read("name: x\nitems: [unclosed\n");
      expect.fail("accepted");
    } catch (e) {
      expect((e as Error).name).to.equal("InputError");
    }
  });
});
