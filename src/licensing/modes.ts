/**
 * The RDS licensing mode vocabulary: the stack config, Set-RDLicenseConfiguration -Mode, the
 * configuration scripts' read-back and the policy pack all spell it this way.
 */

export const LicensingMode = { PerUser: "PerUser", PerDevice: "PerDevice" } as const;
export type LicensingMode = (typeof LicensingMode)[keyof typeof LicensingMode];
export const LICENSING_MODES = [LicensingMode.PerUser, LicensingMode.PerDevice] as const satisfies readonly LicensingMode[];

/** Win32_TerminalServiceSetting.ChangeMode LicensingType (the docs disagree elsewhere; these work). */
export const LICENSING_TYPE_CODE: Readonly<Record<LicensingMode, number>> = { PerDevice: 2, PerUser: 4 };
