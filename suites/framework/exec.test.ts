import { expect } from "chai";
import { exitStatus, fakeExec } from "../../runner/testdata/fake-exec.ts";
import { translateError } from "./api-errors.ts";
import { execInPod, exitCodeOf } from "./exec.ts";
import { harness } from "./testdata/harness.ts";

const T = { name: "exec", ms: 5000 };

describe("framework: exec (fake API server speaking the channel protocol)", () => {
  it("returns the exit code, stdout and stderr of a command that ran, and sends the command and container", async () => {
    let seen: URL | undefined;
    const h = await harness({
      upgrades: [
        fakeExec((url) => {
          seen = url;
          return { stdout: "hello\n", stderr: "warn\n", status: exitStatus(3) };
        }),
      ],
    });
    try {
      const r = await execInPod(h.ctx, {
        namespace: "ns",
        pod: "p",
        container: "main",
        command: ["sh", "-c", "exit 3"],
        timeout: T,
      });
      expect(r).to.deep.equal({ exitCode: 3, stdout: "hello\n", stderr: "warn\n", truncated: false });
      expect(seen?.pathname).to.equal("/api/v1/namespaces/ns/pods/p/exec");
      expect(seen?.searchParams.getAll("command")).to.deep.equal(["sh", "-c", "exit 3"]);
      expect(seen?.searchParams.get("container")).to.equal("main");
    } finally {
      await h.close();
    }
  });

  it("exit 0 on Success; stdin reaches the command; output beyond the bound is cut", async () => {
    const h = await harness({
      upgrades: [
        fakeExec((_url, stdin) => ({ stdout: `got ${stdin}`.repeat(10), status: exitStatus(0) }), {
          waitForStdin: true,
        }),
      ],
    });
    try {
      const r = await execInPod(h.ctx, {
        namespace: "ns",
        pod: "p",
        command: ["cat"],
        stdin: "abc",
        timeout: T,
        maxOutputBytes: 12,
      });
      expect(r).to.deep.equal({ exitCode: 0, stdout: "got abcgot a", stderr: "", truncated: true });
    } finally {
      await h.close();
    }
  });

  it("a command that could not run rejects with the API's reason; no status at all rejects too", async () => {
    const h = await harness({
      upgrades: [
        fakeExec((url) =>
          url.searchParams.get("container") === "nope"
            ? {
                status: {
                  status: "Failure",
                  reason: "BadRequest",
                  code: 400,
                  message: "container nope is not valid for pod p",
                },
              }
            : {},
        ),
      ],
    });
    try {
      const bad = await execInPod(h.ctx, {
        namespace: "ns",
        pod: "p",
        container: "nope",
        command: ["true"],
        timeout: T,
      }).catch((e: unknown) => e);
      expect(translateError(bad).reason).to.equal(
        "API error: HTTP 400 BadRequest from exec in ns/p/nope: container nope is not valid for pod p",
      );
      const none = await execInPod(h.ctx, { namespace: "ns", pod: "p", command: ["true"], timeout: T }).catch(
        (e: unknown) => e,
      );
      expect(String(none)).to.contain("the connection closed without an exit status");
    } finally {
      await h.close();
    }
  });

  it("a command that hangs is stopped by its named timeout", async () => {
    const h = await harness({ upgrades: [fakeExec(() => ({}), { waitForStdin: true })] });
    try {
      const err = await execInPod(h.ctx, {
        namespace: "ns",
        pod: "p",
        command: ["sleep", "1d"],
        timeout: { name: "exec", ms: 300 },
      }).catch((e: unknown) => e);
      expect(translateError(err).reason).to.equal(
        'timeout "exec" (300ms) expired while running ["sleep","1d"] in ns/p',
      );
    } finally {
      await h.close();
    }
  });

  it("exitCodeOf reads kubelet's statuses", () => {
    expect(exitCodeOf({ status: "Success" })).to.equal(0);
    expect(exitCodeOf(exitStatus(137) as never)).to.equal(137);
    expect(exitCodeOf({ status: "Failure", reason: "InternalError", message: "x" })).to.equal(undefined);
  });
});
