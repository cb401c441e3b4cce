/**
 * Progress lines from the provider process. The engine shows a provider's stderr in the `pulumi`
 * output, so each long step says what it is doing. Never pass a secret here.
 */
export function progress(message: string): void {
    if (process.env.RDS_LICENSING_QUIET === "1") return;
    process.stderr.write(`rds-licensing: ${message}\n`);
}
