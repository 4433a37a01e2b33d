// rl_race_check.cpp — checks under ThreadSanitizer that the tabular RL updates of kernels/rl.cu
// have no data race between blocks. Run by native/Makefile (target rl-race-check, part of `all`)
// on every build: g++ -fsanitize=thread, this file (which includes kernels/rl.cu), the emulator's
// native/emu/runtime.cpp, worker.cpp and fiber.cpp; TSAN_OPTIONS=halt_on_error=1:exitcode=66, so the first
// report fails `make`.
//
// What it runs: td0, q_learning, sarsa, expected_sarsa and running_mean updates, then a q_learning
// update with an index out of range (the path that writes nothing), twice over, each call launched
// exactly as io.jkernels.ops.Td#tabular launches it: <op>_prepare_f32, rl_segsum_accumulate,
// rl_segsum_apply_f32, the same arguments, the same scratch layout in one reused Workspace (grown
// as Td.Workspace grows), the grid of LaunchConfig.gridStride (256 threads, 8 waves of the emu
// device, whose SM count is its worker count), through the emulator's own jk_emu::launch() on 4
// workers (unless JK_EMU_WORKERS says otherwise). B = 16384 transitions on 7 states (x 3 actions):
// hundreds of transitions per table entry spread over all 64 blocks, so blocks on different
// workers meet on every entry in every launch. After each call it checks what a caller relies on:
// the error word (no index rejected, or the lowest rejected transition), the table untouched after
// the rejected call, and the scratch over the entries all zero again.
//
// Why ThreadSanitizer: a data race is undefined behaviour in the C++ memory model and in PTX's,
// yet on x86 and on a GPU it usually gives the right answer, so no result check finds it. The race
// this was written for: rl_segsum_apply_f32 read own[key] while the entry's owner, in another
// block, zeroed it (fixed in 78420d7 with jk_load_relaxed/jk_store_relaxed). TSan reports two
// accesses to one location from two threads, one of them a write, not both atomic, with no
// happens-before between them — whatever their timing, so the check does not depend on the two
// blocks actually overlapping on a loaded 2-core build machine. The emulator runs each block on a
// worker thread (a TSan thread); the CUDA threads of a block are fibers on that worker, which TSan
// takes for one thread: this finds races between blocks (those between SMs on a GPU), not within
// one block. That needs no fiber annotations (__tsan_switch_to_fiber): the fiber switches are
// plain stack switches inside one thread, and launches are ordered by the runtime's
// acquire/release atomics.
//
// Reading a failure: `make` prints the check's output, which starts with the report, e.g. (own[key]
// read and zeroed with plain accesses, as before 78420d7):
//   WARNING: ThreadSanitizer: data race (pid=...)
//     Read of size 4 at 0x... by thread T2:
//       #0 void jk_rl_segsum_apply<true>(...) .../kernels/rl.cu:172
//       #1 rl_segsum_apply_f32 .../kernels/rl.cu:198
//     Previous write of size 4 at 0x... by thread T3:
//       #0 void jk_rl_segsum_apply<true>(...) .../kernels/rl.cu:191
//     Location is heap block of size 168 at 0x... allocated by main thread:  (the scratch, a table)
//   SUMMARY: ThreadSanitizer: data race .../kernels/rl.cu:172 in ...
// and ends with "rl_race_check: the report came from <op> (round N)". Frame #0 of each access is
// the kernel line; the frames under it mix the fiber's stack with its worker's (TSan does not see
// the switches): read the top frames only. The two accesses must be atomic (jk_load_relaxed /
// jk_store_relaxed, atomicXxx) or in different launches. Exit status 66: a TSan report; 1: a
// result check failed (the message says which). "FATAL: ThreadSanitizer: unexpected memory
// mapping" is no race but this kernel's ASLR against g++'s TSan (lower vm.mmap_rnd_bits, or run the
// binary under `setarch -R`).
#include "rl.cu"
#include "runtime.h"

#include <sanitizer/common_interface_defs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <string>
#include <vector>

namespace {

// ---- the launches of Td.tabular ------------------------------------------------------------------

const int kBlock = 256;  // Kernels.ELEMENTWISE_BLOCK
const int kWaves = 8;    // Kernels.WAVES

const jk_emu::Kernel& find(const std::string& name) {
    for (const auto& k : jk_emu::kernels()) {
        if (k.name == name) return k;
    }
    fprintf(stderr, "rl_race_check: no kernel %s in kernels/rl.cu\n", name.c_str());
    exit(1);
}

void launch(const std::string& name, std::vector<void*> args, unsigned grid) {
    const std::string e = jk_emu::launch(find(name), args.data(), dim3(grid, 1, 1), dim3(kBlock, 1, 1), 0);
    if (!e.empty()) {
        fprintf(stderr, "rl_race_check: %s\n", e.c_str());
        exit(1);
    }
}

// LaunchConfig.gridStride(b, 256, 1, emu properties, 8): the emu device has one SM per worker,
// 2048 threads per SM.
unsigned grid_for(int64_t b) {
    const int64_t needed = (b + kBlock - 1) / kBlock;
    const int64_t cap = int64_t(jk_emu::worker_count()) * std::max(1, jk_emu::kMaxThreadsPerSm / kBlock) * kWaves;
    return unsigned(std::max<int64_t>(1, std::min(needed, cap)));
}

// Td.Workspace: entries(k) = zeroed acc i64[k], exp, cnt, own, flags i32[k] in 3 * cap longs,
// grown to max(k, 1.5 cap); work(words) with undefined contents, grown to max(words, 1.5 size);
// the error word, set to all ones before each call.
struct Workspace {
    std::vector<int64_t> entries;
    int64_t capacity = 0;
    std::vector<int64_t> work;
    unsigned long long err = 0;

    char* entries_for(int64_t k) {
        if (entries.empty() || capacity < k) {
            capacity = std::max(k, capacity + capacity / 2);
            entries.assign(size_t(3 * capacity), 0);
        }
        return reinterpret_cast<char*>(entries.data());
    }
    char* work_for(int64_t words) {
        if (int64_t(work.size()) < words) {
            const int64_t grown = int64_t(work.size()) * 3 / 2;
            work.assign(size_t(std::max(words, grown)), int64_t(0x5a5a5a5a5a5a5a5a));
        }
        return reinterpret_cast<char*>(work.data());
    }
    bool entries_zero() const {
        return std::all_of(entries.begin(), entries.end(), [](int64_t v) { return v == 0; });
    }
};

enum Op { TD0, Q_LEARNING, SARSA, EXPECTED_SARSA, RUNNING_MEAN };
const char* const kPrepare[] = {"td0_update_prepare_f32", "q_learning_update_prepare_f32", "sarsa_update_prepare_f32",
                                "expected_sarsa_update_prepare_f32", "running_mean_update_prepare_f32"};

struct Transitions {
    std::vector<int64_t> states, actions, next_states, next_actions;
    std::vector<float> rewards;  // samples for running_mean
    std::vector<uint8_t> dones;
};

// One call of Td.tabular on emu (the Java checks passed): null inputs where the op has none;
// returns the error word (all ones: no index out of range).
unsigned long long tabular(Op op, float* table, int64_t s, int64_t a, long long* counts, const Transitions& t,
                           double gamma, double alpha, double epsilon, bool mean, Workspace& ws) {
    const bool rmean = op == RUNNING_MEAN;
    const bool with_actions = op == Q_LEARNING || op == SARSA || op == EXPECTED_SARSA;
    int64_t b = int64_t(t.states.size());
    const int64_t k = s * a;
    char* ent = ws.entries_for(k);
    char* work = ws.work_for(2 * b);
    ws.err = ~0ull;
    jk_rl_scratch w{reinterpret_cast<long long*>(ent), reinterpret_cast<int*>(ent + 8 * k),
                    reinterpret_cast<unsigned*>(ent + 12 * k), reinterpret_cast<int*>(ent + 16 * k),
                    reinterpret_cast<int*>(ent + 20 * k), reinterpret_cast<long long*>(work),
                    reinterpret_cast<double*>(work + 8 * b), &ws.err};
    jk_rl_tab p{table, s, a, t.states.data(), with_actions ? t.actions.data() : nullptr, t.rewards.data(),
                rmean ? nullptr : t.next_states.data(), op == SARSA ? t.next_actions.data() : nullptr,
                rmean ? nullptr : t.dones.data(), b, gamma, epsilon};
    const unsigned grid = grid_for(b);
    launch(kPrepare[op], {&p, &w}, grid);
    launch("rl_segsum_accumulate", {&w, &b}, grid);
    int mode = rmean ? JK_RL_APPLY_RMEAN : mean ? JK_RL_APPLY_MEAN : JK_RL_APPLY_SUM;
    launch("rl_segsum_apply_f32", {&table, &counts, &w, &b, &alpha, &mode}, grid);
    return ws.err;
}

// ---- the check -----------------------------------------------------------------------------------

const int64_t kS = 7, kA = 3, kB = 64 * kBlock;
const int kRounds = 2;

int g_failures = 0;
int g_round = 0;
std::string g_call = "no call";  // the call running, named after a TSan report

// Runs when TSan halts on its first report (halt_on_error=1).
void say_which_call() {
    fprintf(stderr, "rl_race_check: the report came from %s (round %d)\n", g_call.c_str(), g_round);
}

void expect(bool ok, const std::string& what) {
    if (!ok) {
        fprintf(stderr, "rl_race_check: round %d: %s\n", g_round, what.c_str());
        ++g_failures;
    }
}

// One call, checked: the error word is want_err and the scratch over the entries is all zero again.
void call(const std::string& what, unsigned long long want_err, Op op, float* table, int64_t s, int64_t a,
          long long* counts, const Transitions& t, double gamma, double alpha, double epsilon, bool mean,
          Workspace& ws) {
    g_call = what;
    const unsigned long long err = tabular(op, table, s, a, counts, t, gamma, alpha, epsilon, mean, ws);
    expect(err == want_err, what + ": error word " + std::to_string((long long)err) + ", expected " +
                                std::to_string((long long)want_err));
    expect(ws.entries_zero(), what + " left the scratch over the entries nonzero");
}

// B transitions on an (S, A) table, from an LCG: rewards in [-1, 1] in steps of 1/8, 1 in 8 done.
Transitions make_transitions(uint64_t seed) {
    Transitions t;
    uint64_t x = seed;
    for (int64_t i = 0; i < kB; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        t.states.push_back(int64_t((x >> 33) % uint64_t(kS)));
        t.actions.push_back(int64_t((x >> 20) % uint64_t(kA)));
        t.next_states.push_back(int64_t((x >> 40) % uint64_t(kS)));
        t.next_actions.push_back(int64_t((x >> 8) % uint64_t(kA)));
        t.rewards.push_back(float(int((x >> 50) % 17) - 8) / 8.0f);
        t.dones.push_back(((x >> 13) & 7) == 0);
    }
    return t;
}

}  // namespace

int main() {
    setenv("JK_EMU_WORKERS", "4", /*overwrite=*/0);  // before the first launch starts the pool
    if (jk_emu::worker_count() < 2) {
        fprintf(stderr, "rl_race_check: JK_EMU_WORKERS=%d: blocks need at least 2 workers to race\n",
                jk_emu::worker_count());
        return 1;
    }
    __sanitizer_set_death_callback(say_which_call);
    std::vector<float> values(kS), q(kS * kA), mean(kS);
    std::vector<long long> counts(kS);
    for (int64_t i = 0; i < kS * kA; i++) q[i] = 0.25f * float(i % 11) - 1.0f;
    for (int64_t i = 0; i < kS; i++) values[i] = 0.5f - 0.125f * float(i);
    Workspace ws;  // one for every call, as a caller passing a Td.Workspace
    const unsigned long long none = ~0ull;
    int calls = 0;
    for (g_round = 0; g_round < kRounds; g_round++) {
        Transitions t = make_transitions(42 + uint64_t(g_round));
        call("td0_update", none, TD0, values.data(), kS, 1, nullptr, t, 0.99, 1.0 / 1024, 0, false, ws);
        call("q_learning_update", none, Q_LEARNING, q.data(), kS, kA, nullptr, t, 0.9, 0.125, 0, true, ws);
        call("sarsa_update", none, SARSA, q.data(), kS, kA, nullptr, t, 0.9, 1.0 / 1024, 0, false, ws);
        call("expected_sarsa_update", none, EXPECTED_SARSA, q.data(), kS, kA, nullptr, t, 0.9, 0.125, 0.1, true, ws);
        t.rewards[kB / 3] = g_round == 0 ? INFINITY : NAN;  // the special-value flags of one entry
        call("running_mean_update", none, RUNNING_MEAN, mean.data(), kS, 1, counts.data(), t, 0, 0, 0, false, ws);
        // An index out of range in a late block and one in an earlier one: the lowest is reported,
        // nothing is written and the scratch is zeroed again (rl_segsum_apply_f32's no-write path).
        const int64_t bad = kB / 2 + 3;
        t.next_states[bad] = kS;
        t.actions[kB - 1] = -1;
        const std::vector<float> before = q;
        call("q_learning_update (index out of range)", (unsigned long long)bad, Q_LEARNING, q.data(), kS, kA, nullptr,
             t, 0.9, 0.125, 0, true, ws);
        expect(memcmp(before.data(), q.data(), q.size() * sizeof(float)) == 0,
               "q_learning_update wrote the table despite an index out of range");
        calls += 6;
    }
    long long total = 0;
    for (long long c : counts) total += c;
    expect(total == kRounds * kB, "running_mean_update: the counts do not add up to the samples");
    if (g_failures != 0) return 1;
    printf("%d calls (td0, q_learning, sarsa, expected_sarsa, running_mean, q_learning with an index out of range)"
           " x 3 launches, B = %lld on %lld entries, %u blocks x %d threads on %d workers: no data race reported\n",
           calls, (long long)kB, (long long)(kS * kA), grid_for(kB), kBlock, jk_emu::worker_count());
    return 0;
}
