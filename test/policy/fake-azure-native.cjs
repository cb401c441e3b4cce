// A stand-in `azure-native` resource provider for policy tests: enough of the ResourceProvider gRPC
// service for `pulumi preview` of new resources (configure, check: inputs accepted as given). The
// real plugin cannot be built offline and would call Azure; a preview with a policy pack only needs
// the engine to register the resource and hand its inputs to the analyzer. It creates nothing: a
// create outside preview is refused, update and delete are left unimplemented on purpose. Started by the engine through a small
// shell script named `pulumi-resource-azure-native` on PATH (see policy engine tests).
"use strict";

const path = require("path");

const root = path.resolve(__dirname, "..", "..");
const load = (m) => require(require.resolve(m, { paths: [root] }));
const grpc = load("@grpc/grpc-js");
const providerProto = load("@pulumi/pulumi/proto/provider_pb.js");
const providerRpc = load("@pulumi/pulumi/proto/provider_grpc_pb.js");
const pluginProto = load("@pulumi/pulumi/proto/plugin_pb.js");

const VERSION = process.env.FAKE_AZURE_NATIVE_VERSION || "3.28.0";

const service = {
    getPluginInfo(_call, callback) {
        callback(null, new pluginProto.PluginInfo().setVersion(VERSION));
    },
    checkConfig(call, callback) {
        callback(null, new providerProto.CheckResponse().setInputs(call.request.getNews()));
    },
    diffConfig(_call, callback) {
        callback(null, new providerProto.DiffResponse().setChanges(providerProto.DiffResponse.DiffChanges.DIFF_NONE));
    },
    configure(_call, callback) {
        callback(null, new providerProto.ConfigureResponse().setAcceptsecrets(true).setSupportspreview(true).setAcceptresources(true).setAcceptoutputs(true));
    },
    check(call, callback) {
        callback(null, new providerProto.CheckResponse().setInputs(call.request.getNews()));
    },
    // With supportsPreview, the engine previews creates through the provider: echo the inputs back.
    create(call, callback) {
        if (!call.request.getPreview()) {
            callback(Object.assign(new Error("the fake azure-native provider only previews"), { code: grpc.status.UNIMPLEMENTED }));
            return;
        }
        callback(null, new providerProto.CreateResponse().setId("").setProperties(call.request.getProperties()));
    },
    diff(_call, callback) {
        callback(null, new providerProto.DiffResponse().setChanges(providerProto.DiffResponse.DiffChanges.DIFF_NONE));
    },
    cancel(_call, callback) {
        callback(null, new (load("google-protobuf/google/protobuf/empty_pb.js").Empty)());
    },
};

const server = new grpc.Server();
server.addService(providerRpc.ResourceProviderService, service);
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) {
        console.error(`fake azure-native: ${err.message}`);
        process.exit(1);
    }
    process.stdout.write(`${port}\n`);
});
