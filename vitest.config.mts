import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        // Real-engine tests drive the Pulumi CLI: give them room, and run files in separate processes
        // because Pulumi's runtime state (mocks, config) is global per process.
        pool: "forks",
        testTimeout: 120_000,
        hookTimeout: 300_000,
        reporters: ["default"],
    },
});
