#!/bin/sh
# A stand-in for the sonobuoy binary in scs-kaas sonobuoy's process tests: records every call in
# $FAKE_STATE/calls, answers like Sonobuoy v0.57.5. FAKE_MODE: complete (status completes at once),
# running (never completes), hang-delete (running, and delete hangs).
echo "$*" >> "$FAKE_STATE/calls"
case "$1 $2" in
  "version --short") echo v0.57.5 ;;
  "gen plugin")
    printf 'podSpec:\n  serviceAccountName: sonobuoy-serviceaccount\nsonobuoy-config:\n  plugin-name: e2e\n  result-format: junit\nspec:\n  image: registry.k8s.io/conformance:v1.36.5\n  name: e2e\n' ;;
  "run "*) : ;;
  "status --json")
    # The first poll finds the aggregator Pending: Sonobuoy then exits 0 without JSON.
    if [ ! -e "$FAKE_STATE/polled" ]; then
      touch "$FAKE_STATE/polled"
      echo "The Sonobuoy aggregator is in the 'Pending' state. This is normal as the pod is created and begins to run, but if this state persists, use kubectl to debug further."
    elif [ "$FAKE_MODE" = complete ]; then
      echo '{"plugins":[{"plugin":"e2e","node":"global","status":"complete","result-status":"passed","result-counts":{"passed":1}}],"status":"complete"}'
    else
      echo '{"plugins":[{"plugin":"scs","node":"global","status":"running","result-status":"","progress":{"msg":"running 2 checks","total":2,"completed":1}}],"status":"running"}'
    fi ;;
  "retrieve "*)
    cp "$FAKE_TARBALL" "$2/202612020000_sonobuoy_fake.tar.gz"
    echo "$2/202612020000_sonobuoy_fake.tar.gz" ;;
  "delete --wait"|"delete --all")
    if [ "$FAKE_MODE" = hang-delete ]; then sleep 30; fi ;;
  *) echo "fake sonobuoy: unexpected $*" >&2; exit 1 ;;
esac
