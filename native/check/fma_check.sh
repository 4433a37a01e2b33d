#!/usr/bin/env bash
# fma_check.sh — checks that nvcc contracts no multiply-add in the kernels listed below, so that
# they compute the same bits on the GPU as in the host emulator (issue 16, "Numerics like the
# device"). Run by native/Makefile (target fma-check, part of `all`) where nvcc exists:
#
#   native/check/fma_check.sh NVCC KERNEL_DIR WORK_DIR
#
# Why: nvcc (--fmad=true, its default) fuses a * b + c into one fma (one rounding); g++ -O2 on
# x86-64 without -mfma never does (two roundings). A kernel whose op promises deterministic,
# bit-identical results therefore writes every multiply-add it relies on as fma()/fmaf() (one
# rounding on both compilers: g++ calls libm's correctly rounded fma), and leaves nvcc nothing
# to contract. This script proves it: each file is compiled to PTX (sm_90, -O3, -std=c++17, as the
# fatbin is) twice, --fmad=true and --fmad=false, and the body of each listed kernel (.entry NAME
# to its closing brace) must be the same in both. --fmad=false spells every plain add/sub/mul as
# add.rn/sub.rn/mul.rn (which ptxas may not fuse either); that suffix is dropped before comparing,
# so what differs is exactly an fma that nvcc made up. ptxas fuses too: each PTX is then assembled
# (ptxas, sm_90, --fmad the same way) and the machine code of each listed kernel (its .text.NAME
# section, taken out with binutils' objcopy: no cuobjdump needed) must also be the same bytes both
# ways (a plain mul.f64 feeding an add.f64 that NVVM left alone would become a DFMA there).
# Exit status 1 names each kernel that differs and shows an excerpt of the diff.
set -euo pipefail

# file      kernel                               why its bits must not depend on the compiler
LIST='
rl.cu       td0_update_prepare_f32               TD errors, summed exactly per entry (NOTE [Deterministic collisions])
rl.cu       q_learning_update_prepare_f32        TD errors, summed exactly per entry (NOTE [Deterministic collisions])
rl.cu       sarsa_update_prepare_f32             TD errors, summed exactly per entry (NOTE [Deterministic collisions])
rl.cu       expected_sarsa_update_prepare_f32    TD errors and the expected Q, summed exactly (NOTE [Deterministic collisions])
rl.cu       running_mean_update_prepare_f32      samples and their exponents for the exact per-entry sum
rl.cu       rl_segsum_accumulate                 the fixed-point quantisation of the exact per-entry sum
rl.cu       rl_segsum_apply_f32                  the table update old + alpha * sum, the running mean (Td: deterministic)
rl.cu       rl_widen_i32_i64                     index widening of the tabular and linear TD ops (integers only)
rl.cu       linear_td_update_delta_f32           delta = r + gamma w.phi - w.phi, fixed lane order and butterfly
rl.cu       linear_td_update_partial_f32         per-chunk sums delta * phi, in transition order
rl.cu       linear_td_update_apply_f32           w + alpha * (sum over chunks, in order)
rl.cu       dqn_target_fwd_f32                   r + gamma * next_q (the DQN target, deterministic like every rl.cu kernel)
vq_ema.cu   vq_ema_check_i64                     the index check of vq_ema_update (integers only)
vq_ema.cu   vq_ema_accum_f32                     counts and sums in float64, fixed order (NOTE [Deterministic EMA sums])
vq_ema.cu   vq_ema_total_f32                     cluster_size EMA and its total, fixed tree (NOTE [Deterministic EMA sums])
vq_ema.cu   vq_ema_apply_f32                     embed_sum EMA and codebook = embed_sum / smoothed (vq_ema_update)
'

NVCC=${1:?usage: fma_check.sh NVCC KERNEL_DIR WORK_DIR}
KDIR=${2:?usage: fma_check.sh NVCC KERNEL_DIR WORK_DIR}
WORK=${3:?usage: fma_check.sh NVCC KERNEL_DIR WORK_DIR}
PTXAS=$(dirname "$NVCC")/ptxas
OBJCOPY=${OBJCOPY:-objcopy}
ARCH=sm_90
mkdir -p "$WORK"

files=$(awk 'NF { print $1 }' <<< "$LIST" | sort -u)

# nvcc and ptxas, each file both ways, in parallel.
pids=()
for f in $files; do
    for m in true false; do
        base="$WORK/${f%.cu}.fmad_$m"
        ( "$NVCC" -ptx -O3 -std=c++17 -arch="$ARCH" -I"$KDIR" --fmad="$m" -o "$base.ptx" "$KDIR/$f" \
            && "$PTXAS" -arch="$ARCH" -O3 --fmad="$m" -o "$base.cubin" "$base.ptx" ) > "$base.log" 2>&1 &
        pids+=("$!:$base")
    done
done
for p in "${pids[@]}"; do
    wait "${p%%:*}" || { echo "fma-check: compiling ${p#*:} failed:"; cat "${p#*:}.log"; exit 1; }
done

# The body of .entry NAME in a PTX file, plain add/sub/mul spelt the same both ways.
ptx_body() {
    awk -v name="$2" 'index($0, ".entry " name "(") { on = 1 } on { print } on && /^}/ { exit }' "$1" \
        | sed -E 's/\b(add|sub|mul)\.rn\.((b|)f(16|32|64)(x2|))\b/\1.\2/g'
}
# A PTX body without register numbers (%fd12 -> %fd), to show where two bodies differ.
regless() { sed -E 's/(%[a-z]+)[0-9]+/\1/g; /^\s*\.reg /d' "$1"; }
# The machine code of kernel NAME in a cubin: its .text.NAME section (128-bit instructions).
sass_body() {
    "$OBJCOPY" -I elf64-little -O binary --only-section=".text.$2" "$1" "$3" 2> /dev/null || rm -f "$3"
}
# How many FMA instructions a kernel's machine code has: sm_90 opcodes (the low 12 bits of each
# 128-bit instruction; bits 9-11 the operand form) 0x023 FFMA, 0x02b DFMA, 0x031 HFMA2.
sass_fma_count() {
    od -An -v -tx8 -w16 "$1" | while read -r lo _; do
        case $(( 0x${lo: -3} & 0x1ff )) in 35 | 43 | 49) echo ;; esac
    done | wc -l
}

bad=0
checked=0
while read -r f k _; do
    [ -n "$f" ] || continue
    t="$WORK/${f%.cu}.fmad_true" u="$WORK/${f%.cu}.fmad_false"
    ptx_body "$t.ptx" "$k" > "$WORK/$k.true.ptx"
    ptx_body "$u.ptx" "$k" > "$WORK/$k.false.ptx"
    if [ ! -s "$WORK/$k.true.ptx" ] || [ ! -s "$WORK/$k.false.ptx" ]; then
        echo "fma-check: no .entry $k in the PTX of $f (renamed? update the list in native/check/fma_check.sh)"
        bad=1
        continue
    fi
    sass_body "$t.cubin" "$k" "$WORK/$k.true.bin"
    sass_body "$u.cubin" "$k" "$WORK/$k.false.bin"
    if [ ! -s "$WORK/$k.true.bin" ] || [ ! -s "$WORK/$k.false.bin" ]; then
        echo "fma-check: no section .text.$k in the cubin of $f ($OBJCOPY -I elf64-little)"
        bad=1
        continue
    fi
    checked=$((checked + 1))
    if ! cmp -s "$WORK/$k.true.ptx" "$WORK/$k.false.ptx"; then
        nt=$(grep -cE '^\s*fma\.' "$WORK/$k.true.ptx" || true)
        nf=$(grep -cE '^\s*fma\.' "$WORK/$k.false.ptx" || true)
        echo "fma-check: $k ($f): nvcc contracts multiply-adds: $nt fma in the PTX with --fmad=true," \
            "$nf with --fmad=false ($(sass_fma_count "$WORK/$k.true.bin") and $(sass_fma_count "$WORK/$k.false.bin")" \
            "FMA instructions in the machine code); write them as fma()/fmaf(). diff --fmad=true --fmad=false" \
            "(register numbers dropped):"
        excerpt=$(diff <(regless "$WORK/$k.true.ptx") <(regless "$WORK/$k.false.ptx") | grep -E '^[<>]' || true)
        [ -n "$excerpt" ] || excerpt=$(diff "$WORK/$k.true.ptx" "$WORK/$k.false.ptx" | grep -E '^[<>]' || true)
        head -n 24 <<< "$excerpt" | sed 's/^/    /'
        bad=1
    elif ! cmp -s "$WORK/$k.true.bin" "$WORK/$k.false.bin"; then
        echo "fma-check: $k ($f): the same PTX, but ptxas contracts multiply-adds: $(sass_fma_count "$WORK/$k.true.bin")" \
            "FMA instructions in the machine code with --fmad=true, $(sass_fma_count "$WORK/$k.false.bin") with" \
            "--fmad=false (write them as fma()/fmaf(); cuobjdump -sass $t.cubin shows them);" \
            "first differing instructions (128-bit words, --fmad=true < > --fmad=false):"
        diff <(od -An -v -tx8 -w16 "$WORK/$k.true.bin") <(od -An -v -tx8 -w16 "$WORK/$k.false.bin") \
            | grep -E '^[<>]' | head -n 12 | sed 's/^/    /'
        bad=1
    fi
done <<< "$LIST"

if [ "$bad" -ne 0 ]; then
    echo "fma-check: FAILED (the PTX, cubins and each kernel's PTX and machine code, both ways, are in $WORK)"
    exit 1
fi
echo "fma-check: $checked kernels of $(echo $files) ($ARCH): the same PTX and machine code with --fmad=true and --fmad=false"
