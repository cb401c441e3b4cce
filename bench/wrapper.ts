/**
 * What the npm scripts' wrapper (tools/run.mjs: dependencies, build, toolchain checks) costs over the
 * Pulumi CLI itself on an unchanged checkout: `npm run pulumi -- version` against `pulumi version`,
 * alternated, medians of a few samples. The target is at most 0.5 s.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { REPO_ROOT } from "./project";

export interface WrapperOverhead {
    samples: number;
    wrapperMs: number;
    cliMs: number;
    overheadMs: number;
    targetMs: number;
}

export const WRAPPER_TARGET_MS = 500;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function timed(cmd: string, args: string[]): number {
    const start = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { cwd: REPO_ROOT, stdio: "ignore", env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" } });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status ?? r.error?.message})`);
    return Number(process.hrtime.bigint() - start) / 1e6;
}

export function measureWrapper(pulumiBinDir: string, samples = 5): WrapperOverhead {
    // The first run may build or install; only an unchanged checkout is measured.
    timed("npm", ["run", "--silent", "pulumi", "--", "version"]);
    const wrapper: number[] = [];
    const cli: number[] = [];
    for (let i = 0; i < samples; i++) {
        wrapper.push(timed("npm", ["run", "--silent", "pulumi", "--", "version"]));
        cli.push(timed(path.join(pulumiBinDir, "pulumi"), ["version"]));
    }
    const wrapperMs = Math.round(median(wrapper));
    const cliMs = Math.round(median(cli));
    return { samples, wrapperMs, cliMs, overheadMs: wrapperMs - cliMs, targetMs: WRAPPER_TARGET_MS };
}

export function formatWrapper(w: WrapperOverhead): string {
    const ok = w.overheadMs <= w.targetMs ? "ok" : "MISS";
    return `npm scripts' overhead (npm run pulumi -- version vs pulumi version, median of ${w.samples}): ${(w.wrapperMs / 1000).toFixed(2)} s vs ${(w.cliMs / 1000).toFixed(2)} s = ${(w.overheadMs / 1000).toFixed(2)} s [${ok} <= ${(w.targetMs / 1000).toFixed(1)} s]`;
}
