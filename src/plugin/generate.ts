/** The package schema of this checkout: version from package.json, docs from its components' sources. */
import { readDocs } from "./docs";
import { packageVersion } from "./package-info";
import { DOC_FILES, packageSchema, type PackageSchema } from "./schema";

export function generateSchema(root: string): PackageSchema {
    return packageSchema(packageVersion(root), readDocs(root, DOC_FILES));
}
