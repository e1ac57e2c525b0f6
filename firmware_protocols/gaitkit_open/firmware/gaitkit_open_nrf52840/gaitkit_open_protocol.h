/*
 * gaitkit open protocol v1 -- constants and packet encoders (plain C99, no Arduino headers).
 *
 * This header is the firmware side of firmware_protocols/gaitkit_open/SPEC.md. The Python test
 * tests/test_protocol_gaitkit_open.py parses the #defines below and compiles this header with a
 * host C compiler to compare its packets byte for byte with the Python encoder, so the firmware
 * and the decoder cannot drift apart. Change both together, and bump the version.
 *
 * License: BSD-3-Clause (same as gaitkit).
 */
#ifndef GAITKIT_OPEN_PROTOCOL_H
#define GAITKIT_OPEN_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

/* ---- GATT (128-bit UUIDs; base a68axxxx-4732-4cd6-b051-a9ee298b68e7) ---- */
#define GK_SERVICE_UUID "a68a0001-4732-4cd6-b051-a9ee298b68e7"
#define GK_DATA_UUID    "a68a0002-4732-4cd6-b051-a9ee298b68e7" /* notify: data packets */
#define GK_CONTROL_UUID "a68a0003-4732-4cd6-b051-a9ee298b68e7" /* write + notify replies */
#define GK_INFO_UUID    "a68a0004-4732-4cd6-b051-a9ee298b68e7" /* read: device info */

/* ---- packet layout ---- */
#define GK_MAGIC_FULL       0xA1 /* high nibble 0xA: full packet, low nibble: version */
#define GK_MAGIC_COMPACT    0xC1 /* high nibble 0xC: compact packet (1 sample, 20 bytes) */
#define GK_PROTOCOL_VERSION 1
#define GK_FULL_HEADER_SIZE 14
#define GK_COMPACT_SIZE     20
#define GK_SAMPLE_SIZE      12 /* ax ay az gx gy gz, int16 little-endian */
#define GK_CRC_SIZE         2
#define GK_MAX_SAMPLES      19 /* 14 + 19*12 + 2 = 244 = ATT MTU 247 - 3 */
#define GK_MAX_PACKET_SIZE  (GK_FULL_HEADER_SIZE + GK_MAX_SAMPLES * GK_SAMPLE_SIZE + GK_CRC_SIZE)
#define GK_INFO_SIZE        10

/* CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, MSB first, no reflection, no final xor. */
#define GK_CRC_POLY 0x1021
#define GK_CRC_INIT 0xFFFF

/* ---- codes byte: rate code bits 0-3, acc range code bits 4-5, gyro range code bits 6-7 ---- */
#define GK_RATE_12_5HZ 1
#define GK_RATE_25HZ   2
#define GK_RATE_50HZ   3
#define GK_RATE_100HZ  4
#define GK_RATE_200HZ  5
#define GK_RATE_400HZ  6
#define GK_RATE_800HZ  7
#define GK_RATE_1600HZ 8
#define GK_RATE_14_9HZ 9
#define GK_RATE_59_5HZ 10
#define GK_RATE_119HZ  11
#define GK_RATE_238HZ  12
#define GK_RATE_476HZ  13
#define GK_RATE_952HZ  14

#define GK_ACC_2G  0
#define GK_ACC_4G  1
#define GK_ACC_8G  2
#define GK_ACC_16G 3
#define GK_GYRO_250DPS  0
#define GK_GYRO_500DPS  1
#define GK_GYRO_1000DPS 2
#define GK_GYRO_2000DPS 3

/* ---- control opcodes: write [op, args...]; the device notifies [op | 0x80, status] ---- */
#define GK_OP_START     0x01
#define GK_OP_STOP      0x02
#define GK_OP_SET_RATE  0x03 /* [rate code] */
#define GK_OP_SET_RANGE 0x04 /* [acc range code, gyro range code] */
#define GK_OP_IDENTIFY  0x05 /* [seconds 1-255] */
#define GK_OP_SET_BATCH 0x06 /* [samples per packet 0-19; 0 = compact packets] */
#define GK_REPLY_FLAG   0x80
#define GK_STATUS_OK          0
#define GK_STATUS_UNKNOWN_OP  1
#define GK_STATUS_BAD_LENGTH  2
#define GK_STATUS_UNSUPPORTED 3

/* IMU chip codes of the info characteristic */
#define GK_CHIP_UNKNOWN 0
#define GK_CHIP_LSM9DS1 1
#define GK_CHIP_BMI270  2

static const float GK_ACC_RANGE_G[4] = {2.0f, 4.0f, 8.0f, 16.0f};
static const float GK_GYRO_RANGE_DPS[4] = {250.0f, 500.0f, 1000.0f, 2000.0f};

static inline uint8_t gk_codes(uint8_t rate_code, uint8_t acc_code, uint8_t gyro_code) {
  return (uint8_t)((rate_code & 0x0F) | ((acc_code & 3) << 4) | ((gyro_code & 3) << 6));
}

static inline uint16_t gk_crc16(const uint8_t *data, size_t len) {
  uint16_t crc = GK_CRC_INIT;
  for (size_t i = 0; i < len; i++) {
    crc ^= (uint16_t)data[i] << 8;
    for (int b = 0; b < 8; b++) {
      crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ GK_CRC_POLY) : (uint16_t)(crc << 1);
    }
  }
  return crc;
}

static inline void gk_put_u16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v & 0xFF);
  p[1] = (uint8_t)(v >> 8);
}

static inline void gk_put_u32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v & 0xFF);
  p[1] = (uint8_t)((v >> 8) & 0xFF);
  p[2] = (uint8_t)((v >> 16) & 0xFF);
  p[3] = (uint8_t)(v >> 24);
}

static inline void gk_put_sample(uint8_t *p, const int16_t s[6]) {
  for (int k = 0; k < 6; k++) gk_put_u16(p + 2 * k, (uint16_t)s[k]);
}

/* Full packet: n (1-19) samples. counter and t_us belong to the first sample; t_us is the
 * 64-bit device time in microseconds since boot, sent modulo 2^32. Returns the packet size. */
static inline size_t gk_encode_full(uint8_t *out, uint16_t device_id, uint8_t codes,
                                    uint32_t counter, uint64_t t_us,
                                    const int16_t (*samples)[6], uint8_t n) {
  out[0] = GK_MAGIC_FULL;
  out[1] = n;
  gk_put_u16(out + 2, device_id);
  out[4] = codes;
  out[5] = 0; /* reserved */
  gk_put_u32(out + 6, counter);
  gk_put_u32(out + 10, (uint32_t)(t_us & 0xFFFFFFFFu));
  for (uint8_t i = 0; i < n; i++) gk_put_sample(out + GK_FULL_HEADER_SIZE + GK_SAMPLE_SIZE * i, samples[i]);
  size_t len = GK_FULL_HEADER_SIZE + (size_t)GK_SAMPLE_SIZE * n;
  gk_put_u16(out + len, gk_crc16(out, len));
  return len + GK_CRC_SIZE;
}

/* Compact packet (20 bytes, fits the default ATT MTU 23): counter modulo 2^16 and device time
 * in milliseconds, floor(t_us / 1000) modulo 2^16. */
static inline size_t gk_encode_compact(uint8_t *out, uint8_t codes, uint32_t counter,
                                       uint64_t t_us, const int16_t sample[6]) {
  out[0] = GK_MAGIC_COMPACT;
  out[1] = codes;
  gk_put_u16(out + 2, (uint16_t)(counter & 0xFFFF));
  gk_put_u16(out + 4, (uint16_t)((t_us / 1000u) & 0xFFFF));
  gk_put_sample(out + 6, sample);
  gk_put_u16(out + 18, gk_crc16(out, 18));
  return GK_COMPACT_SIZE;
}

/* Info characteristic value (10 bytes). */
static inline size_t gk_encode_info(uint8_t *out, uint16_t device_id, uint8_t chip, uint8_t codes,
                                    uint8_t samples_per_packet, uint8_t firmware_version) {
  out[0] = GK_MAGIC_FULL;
  gk_put_u16(out + 1, device_id);
  out[3] = chip;
  out[4] = codes;
  out[5] = samples_per_packet;
  out[6] = firmware_version;
  out[7] = 0;
  gk_put_u16(out + 8, gk_crc16(out, 8));
  return GK_INFO_SIZE;
}

/* Value in g or deg/s -> int16 counts at full scale `range` (1 LSB = range / 32768),
 * rounded half to even like numpy.rint, clipped to the int16 range. */
static inline int16_t gk_quantise(float value, float range) {
  float c = value * (32768.0f / range);
  if (c >= 32767.0f) return 32767;
  if (c <= -32768.0f) return -32768;
  float r = (float)(long)c; /* truncate toward zero */
  float frac = c - r;
  if (frac > 0.5f || (frac == 0.5f && ((long)r & 1))) r += 1.0f;
  else if (frac < -0.5f || (frac == -0.5f && ((long)r & 1))) r -= 1.0f;
  return (int16_t)r;
}

#endif /* GAITKIT_OPEN_PROTOCOL_H */
