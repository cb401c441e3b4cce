// sdkgen: the SDKs of a Pulumi package schema, generated with the Pulumi codegen the CLI's own
// `pulumi package gen-sdk` uses, without the language hosts (which the Go module proxy does not serve).
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	nodejsgen "github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	pythongen "github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"

	"github.com/blang/semver"
)

// selfContained loads no other package: the schema refers to none (only pulumi.json#/Any).
type selfContained struct{}

func (selfContained) LoadPackage(pkg string, _ *semver.Version) (*schema.Package, error) {
	return nil, fmt.Errorf("the schema refers to package %s, which sdkgen does not load", pkg)
}

func (l selfContained) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return l.LoadPackage(d.Name, d.Version)
}

func (l selfContained) LoadPackageReference(pkg string, v *semver.Version) (schema.PackageReference, error) {
	return nil, fmt.Errorf("the schema refers to package %s, which sdkgen does not load", pkg)
}

func (l selfContained) LoadPackageReferenceV2(_ context.Context, d *schema.PackageDescriptor) (schema.PackageReference, error) {
	return l.LoadPackageReference(d.Name, d.Version)
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "sdkgen: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	if len(os.Args) < 4 {
		fail("usage: sdkgen <schema.json> <out-dir> <language>...")
	}
	text, err := os.ReadFile(os.Args[1])
	if err != nil {
		fail("%v", err)
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(text, &spec); err != nil {
		fail("%s: %v", os.Args[1], err)
	}
	pkg, diags, err := schema.BindSpec(spec, selfContained{}, schema.ValidationOptions{})
	if err != nil {
		fail("binding the schema: %v", err)
	}
	if diags.HasErrors() {
		fail("the schema is invalid: %v", diags)
	}
	for _, language := range os.Args[3:] {
		var files map[string][]byte
		switch language {
		case "nodejs":
			files, err = nodejsgen.GeneratePackage("rds-licensing-sdkgen", pkg, map[string][]byte{}, nil, false, selfContained{})
		case "python":
			files, err = pythongen.GeneratePackage("rds-licensing-sdkgen", pkg, map[string][]byte{}, selfContained{})
		case "go":
			files, err = gogen.GeneratePackage("rds-licensing-sdkgen", pkg, nil)
		default:
			fail("unknown language %q (nodejs, python, go)", language)
		}
		if err != nil {
			fail("%s: %v", language, err)
		}
		for name, content := range files {
			path := filepath.Join(os.Args[2], language, name)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				fail("%v", err)
			}
			if err := os.WriteFile(path, content, 0o644); err != nil {
				fail("%v", err)
			}
		}
		fmt.Printf("%s %d\n", language, len(files))
	}
}
