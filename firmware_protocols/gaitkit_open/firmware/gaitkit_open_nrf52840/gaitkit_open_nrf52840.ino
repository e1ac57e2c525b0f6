/*
 * gaitkit open protocol v1 -- reference firmware for the Arduino Nano 33 BLE / Nano 33 BLE Sense
 * (nRF52840 + LSM9DS1) and, with GK_IMU_BMI270 defined, the Nano 33 BLE Rev2 (BMI270 + BMM150).
 *
 * Streams accelerometer + gyroscope samples over BLE in the layout of
 * firmware_protocols/gaitkit_open/SPEC.md. Every constant and encoder lives in
 * gaitkit_open_protocol.h, which gaitkit's tests compile and compare with the Python decoder.
 *
 * Libraries (Arduino Library Manager): ArduinoBLE, and Arduino_LSM9DS1 or Arduino_BMI270_BMM150.
 * Board package: "Arduino Mbed OS Nano Boards". See ../README.md for building and flashing.
 *
 * License: BSD-3-Clause (same as gaitkit).
 */

// #define GK_IMU_BMI270   // uncomment for the Nano 33 BLE Rev2

#include <ArduinoBLE.h>
#include <Wire.h>

#ifdef GK_IMU_BMI270
#include <Arduino_BMI270_BMM150.h>
#define GK_IMU_CHIP GK_CHIP_BMI270
#else
#include <Arduino_LSM9DS1.h>
#define GK_IMU_CHIP GK_CHIP_LSM9DS1
#endif

#include "gaitkit_open_protocol.h"

#define GK_FIRMWARE_VERSION 1

// LSM9DS1 accelerometer+gyroscope (I2C address 0x6B on the Nano's internal bus Wire1).
// CTRL_REG1_G (0x10): ODR_G bits 7-5, FS_G bits 4-3 (11 = 2000 dps, what Arduino_LSM9DS1 sets).
// With the gyroscope on, the accelerometer runs at the gyroscope ODR (ST LSM9DS1 datasheet,
// section 7.12 and Table 46).
#define LSM9DS1_AG_ADDR 0x6B
#define LSM9DS1_CTRL_REG1_G 0x10

BLEService gkService(GK_SERVICE_UUID);
BLECharacteristic dataChar(GK_DATA_UUID, BLENotify, GK_MAX_PACKET_SIZE);
BLECharacteristic controlChar(GK_CONTROL_UUID, BLEWrite | BLENotify, 8);
BLECharacteristic infoChar(GK_INFO_UUID, BLERead, GK_INFO_SIZE, true);

static uint16_t deviceId = 0;
#ifdef GK_IMU_BMI270
static uint8_t rateCode = GK_RATE_100HZ;  // Arduino_BMI270_BMM150 default ODR
#else
static uint8_t rateCode = GK_RATE_119HZ;  // Arduino_LSM9DS1 default ODR
#endif
static uint8_t accCode = GK_ACC_4G;        // protocol scale; the libraries' chip range is 4 g
static uint8_t gyroCode = GK_GYRO_2000DPS; // and 2000 dps
static uint8_t samplesPerPacket = 0;       // 0 = compact packets until the host sets a batch
static bool streaming = false;

static uint32_t sampleCounter = 0;          // counter of the next sample (reset by START)
static uint32_t lastMicros = 0;             // 64-bit device time from the 32-bit micros()
static uint64_t microsHigh = 0;

static int16_t batch[GK_MAX_SAMPLES][6];
static uint8_t batchCount = 0;
static uint32_t batchCounter = 0;
static uint64_t batchTimeUs = 0;
static uint8_t packet[GK_MAX_PACKET_SIZE];

static uint32_t identifyUntilMs = 0;

static uint64_t deviceTimeUs() {
  uint32_t now = micros();
  if (now < lastMicros) microsHigh += (1ULL << 32);  // micros() wrapped (every ~71.6 min)
  lastMicros = now;
  return microsHigh | now;
}

static void updateInfo() {
  uint8_t info[GK_INFO_SIZE];
  gk_encode_info(info, deviceId, GK_IMU_CHIP, gk_codes(rateCode, accCode, gyroCode),
                 samplesPerPacket, GK_FIRMWARE_VERSION);
  infoChar.writeValue(info, GK_INFO_SIZE);
}

static void reply(uint8_t op, uint8_t status) {
  uint8_t r[2] = {(uint8_t)(op | GK_REPLY_FLAG), status};
  controlChar.writeValue(r, 2);
}

static bool setImuRate(uint8_t code) {
#ifdef GK_IMU_BMI270
  return code == GK_RATE_100HZ;  // the library exposes no ODR setting
#else
  uint8_t odr;
  switch (code) {
    case GK_RATE_14_9HZ: odr = 1; break;
    case GK_RATE_59_5HZ: odr = 2; break;
    case GK_RATE_119HZ: odr = 3; break;
    case GK_RATE_238HZ: odr = 4; break;
    case GK_RATE_476HZ: odr = 5; break;
    case GK_RATE_952HZ: odr = 6; break;
    default: return false;
  }
  Wire1.beginTransmission(LSM9DS1_AG_ADDR);
  Wire1.write(LSM9DS1_CTRL_REG1_G);
  Wire1.write((uint8_t)((odr << 5) | (3 << 3)));  // keep 2000 dps full scale
  return Wire1.endTransmission() == 0;
#endif
}

static void onControl(BLEDevice, BLECharacteristic c) {
  uint8_t buf[8];
  int len = c.valueLength();
  if (len < 1 || len > 8) return;
  c.readValue(buf, len);
  uint8_t op = buf[0];
  switch (op) {
    case GK_OP_START:
      if (len != 1) { reply(op, GK_STATUS_BAD_LENGTH); return; }
      sampleCounter = 0;
      batchCount = 0;
      streaming = true;
      reply(op, GK_STATUS_OK);
      return;
    case GK_OP_STOP:
      if (len != 1) { reply(op, GK_STATUS_BAD_LENGTH); return; }
      streaming = false;
      batchCount = 0;
      reply(op, GK_STATUS_OK);
      return;
    case GK_OP_SET_RATE:
      if (len != 2) { reply(op, GK_STATUS_BAD_LENGTH); return; }
      if (!setImuRate(buf[1])) { reply(op, GK_STATUS_UNSUPPORTED); return; }
      rateCode = buf[1];
      batchCount = 0;
      updateInfo();
      reply(op, GK_STATUS_OK);
      return;
    case GK_OP_SET_RANGE:
      if (len != 3) { reply(op, GK_STATUS_BAD_LENGTH); return; }
      if (buf[1] > 3 || buf[2] > 3) { reply(op, GK_STATUS_UNSUPPORTED); return; }
      accCode = buf[1];
      gyroCode = buf[2];
      batchCount = 0;
      updateInfo();
      reply(op, GK_STATUS_OK);
      return;
    case GK_OP_IDENTIFY:
      if (len != 2) { reply(op, GK_STATUS_BAD_LENGTH); return; }
      if (buf[1] == 0) { reply(op, GK_STATUS_UNSUPPORTED); return; }
      identifyUntilMs = millis() + 1000UL * buf[1];
      reply(op, GK_STATUS_OK);
      return;
    case GK_OP_SET_BATCH:
      if (len != 2) { reply(op, GK_STATUS_BAD_LENGTH); return; }
      if (buf[1] > GK_MAX_SAMPLES) { reply(op, GK_STATUS_UNSUPPORTED); return; }
      samplesPerPacket = buf[1];
      batchCount = 0;
      updateInfo();
      reply(op, GK_STATUS_OK);
      return;
    default:
      reply(op, GK_STATUS_UNKNOWN_OP);
  }
}

static void onDisconnect(BLEDevice) {
  streaming = false;  // the host restarts with START after reconnecting
  batchCount = 0;
}

void setup() {
  pinMode(LED_BUILTIN, OUTPUT);
  if (!IMU.begin()) {
    while (true) {  // no IMU: fast blink forever
      digitalWrite(LED_BUILTIN, !digitalRead(LED_BUILTIN));
      delay(100);
    }
  }
  if (!BLE.begin()) {
    while (true) {
      digitalWrite(LED_BUILTIN, !digitalRead(LED_BUILTIN));
      delay(300);
    }
  }
  deviceId = (uint16_t)(NRF_FICR->DEVICEID[0] & 0xFFFF);  // stable per chip
  char name[16];
  snprintf(name, sizeof(name), "gaitkit-%04X", deviceId);
  BLE.setLocalName(name);
  BLE.setDeviceName(name);
  BLE.setAdvertisedService(gkService);
  gkService.addCharacteristic(dataChar);
  gkService.addCharacteristic(controlChar);
  gkService.addCharacteristic(infoChar);
  BLE.addService(gkService);
  controlChar.setEventHandler(BLEWritten, onControl);
  BLE.setEventHandler(BLEDisconnected, onDisconnect);
  updateInfo();
  BLE.advertise();
}

void loop() {
  BLE.poll();
  digitalWrite(LED_BUILTIN, (identifyUntilMs && (int32_t)(identifyUntilMs - millis()) > 0)
                                ? ((millis() / 250) & 1) : LOW);
  if (!streaming || !BLE.connected()) return;
  if (!(IMU.accelerationAvailable() && IMU.gyroscopeAvailable())) return;

  float ax, ay, az, gx, gy, gz;  // g and deg/s from the libraries
  uint64_t t = deviceTimeUs();   // time of reading, within one sample period of sampling
  IMU.readAcceleration(ax, ay, az);
  IMU.readGyroscope(gx, gy, gz);
  int16_t s[6] = {
      gk_quantise(ax, GK_ACC_RANGE_G[accCode]),    gk_quantise(ay, GK_ACC_RANGE_G[accCode]),
      gk_quantise(az, GK_ACC_RANGE_G[accCode]),    gk_quantise(gx, GK_GYRO_RANGE_DPS[gyroCode]),
      gk_quantise(gy, GK_GYRO_RANGE_DPS[gyroCode]), gk_quantise(gz, GK_GYRO_RANGE_DPS[gyroCode]),
  };
  uint8_t codes = gk_codes(rateCode, accCode, gyroCode);

  if (samplesPerPacket == 0) {
    size_t n = gk_encode_compact(packet, codes, sampleCounter, t, s);
    dataChar.writeValue(packet, (int)n);
  } else {
    if (batchCount == 0) {
      batchCounter = sampleCounter;
      batchTimeUs = t;
    }
    for (int k = 0; k < 6; k++) batch[batchCount][k] = s[k];
    batchCount++;
    if (batchCount >= samplesPerPacket) {
      size_t n = gk_encode_full(packet, deviceId, codes, batchCounter, batchTimeUs, batch,
                                batchCount);
      dataChar.writeValue(packet, (int)n);
      batchCount = 0;
    }
  }
  sampleCounter++;  // wraps modulo 2^32, as the protocol expects
}
