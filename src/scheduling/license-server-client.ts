import { migrationProductId, type ContactInfo, type InstallSpec, type InstalledKeyPack, type KeyPack, type LicenseServer, type MigrationSource, type ServerStatus } from "../licensing";
import type { ServerScheduler } from "./scheduler";

/** The typed LicenseServer interface over a scheduler (so every caller shares its executions). */
export class ScheduledLicenseServer implements LicenseServer {
    constructor(private readonly scheduler: ServerScheduler) {}

    get name(): string {
        return this.scheduler.server;
    }

    status(): Promise<ServerStatus> {
        return this.scheduler.run({ op: "status" });
    }

    activate(contact: ContactInfo): Promise<ServerStatus> {
        return this.scheduler.run({ op: "activate", contact });
    }

    deactivate(): Promise<ServerStatus> {
        return this.scheduler.run({ op: "deactivate" });
    }

    listKeyPacks(): Promise<KeyPack[]> {
        return this.scheduler.run({ op: "list-packs" });
    }

    install(spec: InstallSpec, requestKey: string, options: { allowReinstall?: boolean } = {}): Promise<InstalledKeyPack> {
        return this.scheduler.run({ op: "install", spec, requestKey, ...(options.allowReinstall ? { allowReinstall: true } : {}) });
    }

    importKeyPack(spec: InstallSpec, requestKey: string, source: MigrationSource): Promise<InstalledKeyPack> {
        const origin = { kind: "migration" as const, sourceServer: source.server, sourceProductId: migrationProductId(source.licenseServerId) };
        return this.scheduler.run({ op: "install", spec, requestKey, origin });
    }

    convertLicenses(keyPackId: number, spec: InstallSpec, requestKey: string): Promise<InstalledKeyPack> {
        return this.scheduler.run({ op: "install", spec, requestKey, origin: { kind: "conversion", keyPackId } });
    }

    removeLicenses(keyPackId: number, count: number, expectedTotal?: number): Promise<KeyPack> {
        return this.scheduler.run({ op: "remove-licenses", keyPackId, count, expectedTotal });
    }

    async uninstall(keyPackId: number, refuseIfIssued = false): Promise<void> {
        await this.scheduler.run({ op: "uninstall", keyPackId, refuseIfIssued });
    }
}
