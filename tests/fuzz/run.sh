#!/usr/bin/env bash
#
# tests/fuzz/run.sh — build and run every libFuzzer target for a bounded
# time (`make fuzz`). Owns build/fuzz/ and nothing else; it never touches
# the tree's sources.
#
# A target is tests/fuzz/fuzz_NAME.c defining LLVMFuzzerTestOneInput. Like
# the unit tests it names the bot/ modules it links in a line of its own:
#     /* deps: ircmsg util log */
# Optional companions, all keyed by NAME (the part after "fuzz_"):
#     tests/fuzz/seeds/NAME/    seed inputs, copied into the corpus
#     tests/fuzz/NAME.dict      a libFuzzer dictionary
# Output: build/fuzz/fuzz_NAME (binary), build/fuzz/corpus/NAME/ (kept
# between runs), build/fuzz/fuzz_NAME.log, and on a crash the input in
# build/fuzz/artifacts/. Reproduce with: build/fuzz/fuzz_NAME ARTIFACT
#
# Usage: bash tests/fuzz/run.sh [fuzz_NAME ...]   (default: all targets)
# Environment: FUZZ_SECONDS per target (default 60), CLANG (default clang).
# Exit status: 0 if every target built and ran without a crash, else 1.

set -u

cd "$(dirname "$0")/../.." || exit 1

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
CLANG=${CLANG:-clang}
OUT=build/fuzz
PKGS="openssl libcurl jansson sqlite3 libconfig yaml-0.1"

CFLAGS=(-g -O1 -fsanitize=fuzzer,address,undefined
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer
	-std=c11 -D_GNU_SOURCE -Iinclude -Ibot -DOB_VERSION='"fuzz"')
read -r -a PKG_CFLAGS <<<"$(pkg-config --cflags $PKGS 2>/dev/null)"
read -r -a PKG_LIBS <<<"$(pkg-config --libs $PKGS 2>/dev/null)"

case $FUZZ_SECONDS in
''|*[!0-9]*)
	echo "run.sh: FUZZ_SECONDS must be a whole number" >&2
	exit 1
	;;
esac

if [ $# -gt 0 ]; then
	targets=()
	for t in "$@"; do
		t=${t%.c}
		t=${t##*/}
		targets+=("tests/fuzz/$t.c")
	done
else
	shopt -s nullglob
	targets=(tests/fuzz/fuzz_*.c)
	shopt -u nullglob
fi
if [ ${#targets[@]} -eq 0 ]; then
	echo "run.sh: no fuzz targets in tests/fuzz/" >&2
	exit 1
fi

mkdir -p "$OUT/artifacts" "$OUT/corpus"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}

failed=0
summary=()

for src in "${targets[@]}"; do
	name=$(basename "$src" .c)
	short=${name#fuzz_}
	bin=$OUT/$name
	log=$OUT/$name.log

	if [ ! -f "$src" ]; then
		summary+=("$name: MISSING ($src)")
		failed=1
		continue
	fi

	# the modules named on the target's own deps line
	deps=$(sed -n 's|^/\* deps: \(.*\) \*/$|\1|p' "$src" | head -n 1)
	srcs=()
	for d in $deps; do
		srcs+=("bot/$d.c")
	done

	echo "== $name: building (deps: ${deps:-none})"
	if ! "$CLANG" "${CFLAGS[@]}" "${PKG_CFLAGS[@]}" -o "$bin" "$src" \
	    "${srcs[@]}" "${PKG_LIBS[@]}" -ldl -lm; then
		summary+=("$name: BUILD FAILED")
		failed=1
		continue
	fi

	corpus=$OUT/corpus/$short
	mkdir -p "$corpus"
	if [ -d "tests/fuzz/seeds/$short" ]; then
		cp -n "tests/fuzz/seeds/$short"/* "$corpus"/ 2>/dev/null
	fi
	extra=()
	if [ -f "tests/fuzz/$short.dict" ]; then
		extra+=("-dict=tests/fuzz/$short.dict")
	fi

	# old artifacts of this target would make a clean run look bad
	rm -f "$OUT/artifacts/$name-"*

	echo "== $name: fuzzing for ${FUZZ_SECONDS}s"
	"$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$OUT/artifacts/$name-" "${extra[@]}" \
	    "$corpus" >"$log" 2>&1
	rc=$?

	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
	    tail -n 1)
	files=$(find "$corpus" -type f | wc -l)
	crash=$(find "$OUT/artifacts" -name "$name-*" -type f | head -n 1)
	if [ $rc -ne 0 ] || [ -n "$crash" ]; then
		failed=1
		what="CRASH (exit $rc), input ${crash:-none}, log $log"
		summary+=("$name: $what")
		echo "-- $name: last lines of $log:"
		tail -n 40 "$log"
	else
		summary+=("$name: ok, ${runs:-?} runs, corpus $files files")
	fi
done

echo "== fuzz summary (${FUZZ_SECONDS}s per target)"
for line in "${summary[@]}"; do
	echo "   $line"
done
exit $failed
