import { expect } from "chai";
import { busyboxAppletLinks, parseLdd } from "./host-files.ts";

describe("lab/build/host-files", () => {
  it("reads library paths and the loader from ldd output", () => {
    const output = [
      "\tlinux-vdso.so.1 (0x00007ffd5b9f1000)",
      "\tlibcurl.so.4 => /lib/x86_64-linux-gnu/libcurl.so.4 (0x00007f9acd5dd000)",
      "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f9acd3dc000)",
      "\t/lib64/ld-linux-x86-64.so.2 (0x00007f9acd6e4000)",
      "\tlibz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x00007f9acd5be000)",
    ].join("\n");
    expect(parseLdd(output)).to.deep.equal([
      "/lib/x86_64-linux-gnu/libc.so.6",
      "/lib/x86_64-linux-gnu/libcurl.so.4",
      "/lib/x86_64-linux-gnu/libz.so.1",
      "/lib64/ld-linux-x86-64.so.2",
    ]);
    expect(parseLdd("\tnot a dynamic executable\n")).to.deep.equal([]);
  });

  it("links every busybox applet to the binary, except the binary itself", () => {
    expect(busyboxAppletLinks("bin/busybox\nbin/sh\nusr/bin/wget\n\n")).to.deep.equal([
      { kind: "symlink", path: "bin/sh", target: "/bin/busybox" },
      { kind: "symlink", path: "usr/bin/wget", target: "/bin/busybox" },
    ]);
  });
});
