# Build test images by hand (sourced): layers with tar, digests with
# sha256sum, JSON with printf.  No network, no registry tool.
#
#   mk_layer DIR OUT [gz]         tar DIR's content into a layer (gzip with gz)
#   mk_oci OUTDIR LAYER...        an OCI image layout; prints the manifest digest
#   mk_docker OUTDIR LAYER...     an old-format docker save directory; prints the image ID
#   mk_tar DIR OUT                tar an image directory (a layout or a save archive)
# A LAYER is the path of a layer tar (gzip or not).  The config lists each
# layer's diff_id (the sha256 of its uncompressed tar).

sha() { sha256sum "$1" | cut -d' ' -f1; }

mk_layer() { # DIR OUT [gz]
        tar -C "$1" --numeric-owner --owner=0 --group=0 --sort=name -cf "$2.tmp" . || return 1
        if [ "${3:-}" = gz ]; then gzip -n -c "$2.tmp" > "$2" && rm -f "$2.tmp"; else mv "$2.tmp" "$2"; fi
}

# The sha256 of the uncompressed bytes of a layer.
diff_id() {
        if gzip -t "$1" 2>/dev/null; then gzip -dc "$1" | sha256sum | cut -d' ' -f1; else sha "$1"; fi
}

# A config with Env, WorkingDir, Entrypoint and Cmd, and the diff_ids of
# LAYERS.  MK_ENTRYPOINT and MK_CMD (JSON lists) replace the defaults.
mk_config() { # OUT LAYER...
        local out=$1 ids="" l ep=${MK_ENTRYPOINT:-'["/bin/entry"]'} cmd=${MK_CMD:-'["--help"]'}; shift
        for l in "$@"; do ids="$ids${ids:+,}\"sha256:$(diff_id "$l")\""; done
        printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/bin:/bin","FROM_IMAGE=yes","CUDA_VERSION=11.8"],"WorkingDir":"/work","User":"1000","Entrypoint":%s,"Cmd":%s},"rootfs":{"type":"layers","diff_ids":[%s]}}' "$ep" "$cmd" "$ids" > "$out"
}

mk_oci() { # OUTDIR LAYER...
        local out=$1 layers="" l d mt cfg man; shift
        mkdir -p "$out/blobs/sha256"
        for l in "$@"; do
                d=$(sha "$l")
                cp "$l" "$out/blobs/sha256/$d"
                if gzip -t "$l" 2>/dev/null; then mt=application/vnd.oci.image.layer.v1.tar+gzip; else mt=application/vnd.oci.image.layer.v1.tar; fi
                layers="$layers${layers:+,}{\"mediaType\":\"$mt\",\"digest\":\"sha256:$d\",\"size\":$(stat -c %s "$l")}"
        done
        mk_config "$out/config.tmp" "$@"
        cfg=$(sha "$out/config.tmp")
        mv "$out/config.tmp" "$out/blobs/sha256/$cfg"
        printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
                "$cfg" "$(stat -c %s "$out/blobs/sha256/$cfg")" "$layers" > "$out/manifest.tmp"
        man=$(sha "$out/manifest.tmp")
        mv "$out/manifest.tmp" "$out/blobs/sha256/$man"
        printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"amd64","os":"linux"}}]}\n' \
                "$man" "$(stat -c %s "$out/blobs/sha256/$man")" > "$out/index.json"
        printf '{"imageLayoutVersion":"1.0.0"}' > "$out/oci-layout"
        echo "sha256:$man"
}

mk_docker() { # OUTDIR LAYER...
        local out=$1 layers="" l d cfg n=0; shift
        mkdir -p "$out"
        for l in "$@"; do
                n=$((n + 1))
                d=$(printf '%064d' "$n")
                mkdir -p "$out/$d"
                if gzip -t "$l" 2>/dev/null; then gzip -dc "$l" > "$out/$d/layer.tar"; else cp "$l" "$out/$d/layer.tar"; fi
                layers="$layers${layers:+,}\"$d/layer.tar\""
        done
        mk_config "$out/config.tmp" "$@"
        cfg=$(sha "$out/config.tmp")
        mv "$out/config.tmp" "$out/$cfg.json"
        printf '[{"Config":"%s.json","RepoTags":["test:latest"],"Layers":[%s]}]\n' "$cfg" "$layers" > "$out/manifest.json"
        echo "sha256:$cfg"
}

mk_tar() { # DIR OUT
        tar -C "$1" --numeric-owner --owner=0 --group=0 -cf "$2" .
}
