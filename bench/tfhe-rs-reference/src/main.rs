//! Times tfhe-rs on the parameter sets cipherquant takes from it (its v1.4 sets at 2^-128, which
//! 1.8 still uses) (lib/fhe/parameters.ts), one
//! JSON line per measurement in the fields of scripts/bench-tfhe.ts, so that
//! scripts/compare-tfhe-rs.ts can set the two side by side from runs in the same time window.
//!
//! Usage: tfhe-rs-reference <1_1|2_2|3_3> [repetitions]
//! Each operation is timed one ciphertext at a time on the calling thread (tfhe-rs runs a
//! single keyswitch or PBS on one thread); keygen uses rayon's default pool, all cores.
use std::time::Instant;

use tfhe::core_crypto::prelude::*;
use tfhe::shortint::parameters::v1_4::{
    V1_4_PARAM_MESSAGE_1_CARRY_1_KS_PBS_TUNIFORM_2M128, V1_4_PARAM_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128,
    V1_4_PARAM_MESSAGE_3_CARRY_3_KS_PBS_TUNIFORM_2M128,
};
use tfhe::shortint::parameters::ClassicPBSParameters;

#[repr(C)]
struct Timespec {
    seconds: i64,
    nanoseconds: i64,
}
extern "C" {
    fn clock_gettime(clock: i32, time: *mut Timespec) -> i32;
}
const CLOCK_THREAD_CPUTIME_ID: i32 = 3;

/// CPU time of the calling thread, in milliseconds (the figure that waiting for a core on a
/// shared machine does not inflate).
fn thread_cpu_ms() -> f64 {
    let mut time = Timespec { seconds: 0, nanoseconds: 0 };
    // SAFETY: clock_gettime writes one Timespec, which `time` is.
    let status = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut time) };
    assert_eq!(status, 0, "clock_gettime failed");
    time.seconds as f64 * 1e3 + time.nanoseconds as f64 / 1e6
}

/// Mean wall and fastest CPU time per call over `repetitions` calls, after one warm-up call.
fn emit_timing(set: &str, metric: &str, repetitions: usize, mut run: impl FnMut()) {
    run();
    let mut wall_total = 0.0;
    let mut cpu_min = f64::INFINITY;
    for _ in 0..repetitions {
        let (wall, cpu) = (Instant::now(), thread_cpu_ms());
        run();
        cpu_min = cpu_min.min(thread_cpu_ms() - cpu);
        wall_total += wall.elapsed().as_secs_f64() * 1e3;
    }
    println!(
        "{{\"implementation\":\"tfhe-rs 1.8.2\",\"set\":\"{set}\",\"metric\":\"{metric}\",\"threads\":1,\"batch\":1,\
         \"msPerCiphertext\":{:.4},\"cpuMsPerCiphertext\":{cpu_min:.4}}}",
        wall_total / repetitions as f64
    );
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (set, params): (&str, ClassicPBSParameters) = match args.next().as_deref() {
        Some("1_1") => ("TUNIFORM_1_1_PFAIL_2M128", V1_4_PARAM_MESSAGE_1_CARRY_1_KS_PBS_TUNIFORM_2M128),
        Some("2_2") => ("TUNIFORM_2_2_PFAIL_2M128", V1_4_PARAM_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128),
        Some("3_3") => ("TUNIFORM_3_3_PFAIL_2M128", V1_4_PARAM_MESSAGE_3_CARRY_3_KS_PBS_TUNIFORM_2M128),
        other => panic!("usage: tfhe-rs-reference <1_1|2_2|3_3> [repetitions]; got {other:?}"),
    };
    let repetitions: usize = args.next().map_or(20, |text| text.parse().expect("repetitions: a positive integer"));

    let mut seeder = new_seeder();
    let seeder = seeder.as_mut();
    let mut encryption = EncryptionRandomGenerator::<DefaultRandomGenerator>::new(seeder.seed(), seeder);
    let mut secret = SecretRandomGenerator::<DefaultRandomGenerator>::new(seeder.seed());
    let (n, k, big_n) = (params.lwe_dimension, params.glwe_dimension, params.polynomial_size);
    let modulus = params.ciphertext_modulus;

    // The keys of a KS-PBS set, as shortint's keygen makes them (without its compression).
    let keygen = Instant::now();
    let small_key: LweSecretKeyOwned<u64> = allocate_and_generate_new_binary_lwe_secret_key(n, &mut secret);
    let glwe_key: GlweSecretKeyOwned<u64> = allocate_and_generate_new_binary_glwe_secret_key(k, big_n, &mut secret);
    let big_key = glwe_key.clone().into_lwe_secret_key();
    let keyswitch_key = allocate_and_generate_new_lwe_keyswitch_key(
        &big_key, &small_key, params.ks_base_log, params.ks_level, params.lwe_noise_distribution, modulus,
        &mut encryption,
    );
    let standard_key = par_allocate_and_generate_new_lwe_bootstrap_key(
        &small_key, &glwe_key, params.pbs_base_log, params.pbs_level, params.glwe_noise_distribution, modulus,
        &mut encryption,
    );
    let mut bootstrap_key = FourierLweBootstrapKey::new(n, k.to_glwe_size(), big_n, params.pbs_base_log, params.pbs_level);
    par_convert_standard_lwe_bootstrap_key_to_fourier(&standard_key, &mut bootstrap_key);
    println!(
        "{{\"implementation\":\"tfhe-rs 1.8.2\",\"set\":\"{set}\",\"metric\":\"keygen\",\"ms\":{:.1}}}",
        keygen.elapsed().as_secs_f64() * 1e3
    );

    // Messages of precision bits with a padding bit; the table is the identity.
    let precision = (params.message_modulus.0 * params.carry_modulus.0).ilog2();
    let delta = 1u64 << (63 - precision);
    let message = (1u64 << precision) - 1;
    let input = allocate_and_encrypt_new_lwe_ciphertext(
        &big_key, Plaintext(message * delta), params.lwe_noise_distribution, modulus, &mut encryption,
    );
    let table = generate_programmable_bootstrap_glwe_lut(
        big_n, k.to_glwe_size(), 1usize << precision, modulus, delta, |x| x,
    );
    let mut switched = LweCiphertext::new(0u64, small_key.lwe_dimension().to_lwe_size(), modulus);
    let mut output = LweCiphertext::new(0u64, big_key.lwe_dimension().to_lwe_size(), modulus);

    emit_timing(set, "keyswitch", repetitions, || keyswitch_lwe_ciphertext(&keyswitch_key, &input, &mut switched));
    emit_timing(set, "pbs", repetitions, || {
        programmable_bootstrap_lwe_ciphertext(&switched, &mut output, &table, &bootstrap_key)
    });
    emit_timing(set, "ks-pbs", repetitions, || {
        keyswitch_lwe_ciphertext(&keyswitch_key, &input, &mut switched);
        programmable_bootstrap_lwe_ciphertext(&switched, &mut output, &table, &bootstrap_key);
    });

    // The timed operations computed the identity: the last output decrypts to the message.
    let phase = decrypt_lwe_ciphertext(&big_key, &output).0;
    let decoded = (phase.wrapping_add(delta / 2) / delta) % (1u64 << precision);
    assert_eq!(decoded, message, "tfhe-rs returned a wrong lookup result");
}
