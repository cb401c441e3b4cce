import type { ContactInfo, InstallSpec, InstalledKeyPack, KeyPack, LicenseServer, ServerStatus } from "../licensing";
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

    removeLicenses(keyPackId: number, count: number, expectedTotal?: number): Promise<KeyPack> {
        return this.scheduler.run({ op: "remove-licenses", keyPackId, count, expectedTotal });
    }

    async uninstall(keyPackId: number, refuseIfIssued = false): Promise<void> {
        await this.scheduler.run({ op: "uninstall", keyPackId, refuseIfIssued });
    }
}
