#!/usr/bin/env python3
"""Write the Synthea-shaped FHIR R4 fixtures in this folder (python3, standard library only).

    python3 tests/data/synthea/generate.py          # rewrites v3/ and v2/ next to this script

The output is committed; this script only makes it reproducible (fixed seeds, no clock).
Everything here is made up: names, NPIs, places, ids, notes. The *shape* follows what
Synthea's FHIR R4 exporter (FhirR4.java, HospitalExporterR4, FhirPractitionerExporterR4)
writes, version by version; README.md says which version wrote which shape and why.

Styles
  v3       Synthea 3.0/3.1 (US Core 4 profiles, conditional references to the shared
           hospitalInformation / practitionerInformation batch Bundles)
  v3late   Synthea 3.2/3.3 (US Core 5 profile choices and the display fixes of 2023)
  v2       Synthea 2.4-2.6 defaults (US Core off: no meta.profile; Organization and
           Practitioner inside every patient Bundle, urn:uuid references, no ifNoneExist)
"""
import base64
import datetime
import json
import os
import random
import uuid
from decimal import Context, ROUND_HALF_UP

HERE = os.path.dirname(os.path.abspath(__file__))

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
CVX = "http://hl7.org/fhir/sid/cvx"
UCUM = "http://unitsofmeasure.org"
SYNTHEA_ID = "https://github.com/synthetichealth/synthea"
SYNTHEA_EXT = "http://synthetichealth.github.io/synthea/"
NPI = "http://hl7.org/fhir/sid/us-npi"
USCORE = "http://hl7.org/fhir/us/core/StructureDefinition/"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
OBS_CAT = "http://terminology.hl7.org/CodeSystem/observation-category"
DCM_V2 = "http://dicom.nema.org/resources/ontology/DCM"
DCM_V3 = "http://dicom.nema.org/medical/dicom/current/output/chtml/part16/sect_CID_29.html"
NUBC = "http://www.nubc.org/patient-discharge"

# ---------------------------------------------------------------------------------------
# JSON in HAPI's pretty-print layout ("[ {", "}, {", "} ]", primitive arrays on one line)
# ---------------------------------------------------------------------------------------


class Num:
    """A JSON number written exactly as given (e.g. Java BigDecimal text such as 1.2E+2)."""

    def __init__(self, text):
        self.text = text


def _scalar(v):
    if isinstance(v, Num):
        return v.text
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    return json.dumps(v, ensure_ascii=False)


def _members(d, level):
    pad = "  " * (level + 1)
    return ",\n".join(f"{pad}{json.dumps(k)}: {_dump(x, level + 1)}" for k, x in d.items())


def _dump(v, level):
    pad = "  " * level
    if isinstance(v, dict):
        return "{\n" + _members(v, level) + "\n" + pad + "}"
    if isinstance(v, list):
        if v and all(isinstance(x, dict) for x in v):
            return "[ " + ", ".join("{\n" + _members(x, level) + "\n" + pad + "}" for x in v) + " ]"
        return "[ " + ", ".join(_scalar(x) for x in v) + " ]"
    return _scalar(v)


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        f.write(_dump(obj, 0) + "\n")


# ---------------------------------------------------------------------------------------
# Time: Synthea steps whole weeks from one start instant, so every event of a run shares
# the same UTC time of day; HAPI prints them in the exporting JVM's zone (US zone here,
# DST-correct), dateTime to the second, instant to the millisecond.
# ---------------------------------------------------------------------------------------

EPOCH = datetime.datetime(1970, 1, 1)


def _nth_sunday(y, m, n):
    d = datetime.date(y, m, 1)
    d += datetime.timedelta(days=(6 - d.weekday()) % 7)
    return d + datetime.timedelta(weeks=n - 1)


def _last_sunday(y, m):
    d = datetime.date(y + (m == 12), m % 12 + 1, 1) - datetime.timedelta(days=1)
    return d - datetime.timedelta(days=(d.weekday() + 1) % 7)


def _dst_dates(y):
    if y >= 2007:
        return _nth_sunday(y, 3, 2), _nth_sunday(y, 11, 1)
    if y >= 1987:
        return _nth_sunday(y, 4, 1), _last_sunday(y, 10)
    if y >= 1967:
        return _last_sunday(y, 4), _last_sunday(y, 10)
    return None


class Zone:
    def __init__(self, std_hours):
        self.std = std_hours

    def offset(self, ms):
        lst = EPOCH + datetime.timedelta(milliseconds=ms) + datetime.timedelta(hours=self.std)
        b = _dst_dates(lst.year)
        if b:
            start = datetime.datetime.combine(b[0], datetime.time(2))
            end = datetime.datetime.combine(b[1], datetime.time(1))
            if start <= lst < end:
                return self.std + 1
        return self.std

    def local(self, ms):
        off = self.offset(ms)
        return EPOCH + datetime.timedelta(milliseconds=ms) + datetime.timedelta(hours=off), off

    def dt(self, ms):
        t, off = self.local(ms)
        return t.strftime("%Y-%m-%dT%H:%M:%S") + ("-" if off < 0 else "+") + "%02d:00" % abs(off)

    def instant(self, ms):
        t, off = self.local(ms)
        return (t.strftime("%Y-%m-%dT%H:%M:%S") + ".%03d" % (ms % 1000)
                + ("-" if off < 0 else "+") + "%02d:00" % abs(off))

    def date(self, ms):
        return self.local(ms)[0].strftime("%Y-%m-%d")


class Clock:
    """Epoch milliseconds for a calendar day at the run's fixed UTC time of day."""

    def __init__(self, hh, mm, ss, millis):
        self.tod = ((hh * 60 + mm) * 60 + ss) * 1000 + millis

    def at(self, day, minutes=0):
        d = datetime.datetime.strptime(day, "%Y-%m-%d")
        return int((d - EPOCH).total_seconds()) * 1000 + self.tod + minutes * 60000


def add_years(ms, n, zone):
    t, _ = zone.local(ms)
    try:
        t2 = t.replace(year=t.year + n)
    except ValueError:
        t2 = t.replace(year=t.year + n, day=28)
    return ms + int((t2 - t).total_seconds() * 1000)


# ---------------------------------------------------------------------------------------
# Numbers as the exporters print them
# ---------------------------------------------------------------------------------------

def num_v2(x):
    """2.x: new BigDecimal(double, 5 significant digits HALF_UP).stripTrailingZeros(),
    printed with BigDecimal.toString(): 120 -> 1.2E+2 (synthetichealth/synthea#675)."""
    d = Context(prec=5, rounding=ROUND_HALF_UP).create_decimal_from_float(float(x)).normalize()
    return Num(str(d))


def num_v3(x):
    """3.x: PlainBigDecimal, plain text; values are already rounded by the simulation."""
    if isinstance(x, int) or float(x).is_integer():
        return Num(str(int(x)))
    return Num(repr(float(x)))


# ---------------------------------------------------------------------------------------
# Shared world: providers and clinicians
# ---------------------------------------------------------------------------------------

def name_uuid(*parts):
    return str(uuid.uuid3(uuid.NAMESPACE_URL, "carebridge-fixture:" + ":".join(parts)))


class Org:
    def __init__(self, key, name, line, city, zip_, phone, lon, lat, util, beds=None):
        self.key, self.name, self.line, self.city, self.zip = key, name, line, city, zip_
        self.phone, self.lon, self.lat, self.util, self.beds = phone, lon, lat, util, beds
        self.id = name_uuid("organization", key)
        self.loc_id = name_uuid("location", key)


class Clin:
    def __init__(self, npi, first, last, gender, org, line, city, zip_, encounters):
        self.npi, self.first, self.last, self.gender, self.org = npi, first, last, gender, org
        self.line, self.city, self.zip, self.encounters = line, city, zip_, encounters
        self.id = name_uuid("practitioner", npi)

    @property
    def display(self):
        return f"Dr. {self.first} {self.last}"


def cc(system, code, display, text=True):
    c = {"coding": [{"system": system, "code": code, "display": display}]}
    if text:
        c["text"] = display
    return c


def coding_only(system, code, display=None):
    c = {"system": system, "code": code}
    if display is not None:
        c["display"] = display
    return {"coding": [c]}


# ---------------------------------------------------------------------------------------
# One patient's record, in the exporter's order
# ---------------------------------------------------------------------------------------

class Enc:
    def __init__(self, kind, start, stop, code, org, clin, reason=None, discharge=None,
                 payer="Aetna", cost=129.16):
        self.kind, self.start, self.stop, self.code = kind, start, stop, code
        self.org, self.clin, self.reason, self.discharge = org, clin, reason, discharge
        self.payer, self.cost = payer, cost
        self.conditions, self.allergies, self.observations, self.procedures = [], [], [], []
        self.devices, self.supplies, self.medications, self.immunizations = [], [], [], []
        self.reports, self.careplans, self.imaging = [], [], []
        self.claim_items = []   # ('condition'|'procedure'|'immunization', item)
        self.plan_lines = []
        self.complaint = "No complaints."


class Item:
    def __init__(self, **kw):
        self.__dict__.update(kw)
        self.full_url = None


class Record:
    def __init__(self, style, zone, seed, person, pcp_org):
        self.style = style
        self.v2 = style == "v2"
        self.late = style == "v3late"
        self.zone = zone
        self.rng = random.Random(seed)
        self.p = person
        self.pcp_org = pcp_org
        self.entries = []
        self.encs = []
        self.active_meds = []
        self.active_conditions = []
        self.allergy_names = []
        self.orgs_in_bundle = {}
        self.clins_in_bundle = {}
        self.last_note_enc = None

    # ----- ids, numbers, entries -----
    def new_id(self):
        b = self.rng.getrandbits(128)
        if self.v2:  # UUID.randomUUID(): version 4, IETF variant
            return str(uuid.UUID(int=b, version=4))
        h = "%032x" % b  # 3.x RandomNumberGenerator.randUUID(): 128 random bits
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def num(self, x):
        return num_v2(x) if self.v2 else num_v3(x)

    def add(self, resource, if_none_exist=None):
        rt = resource["resourceType"]
        e = {"fullUrl": "urn:uuid:" + resource["id"], "resource": resource,
             "request": {"method": "POST", "url": rt}}
        if if_none_exist:
            e["request"]["ifNoneExist"] = if_none_exist
        self.entries.append(e)
        return e["fullUrl"]

    def meta(self, profile):
        return None if self.v2 else {"profile": [USCORE + profile]}

    @staticmethod
    def put(d, key, value):
        if value is not None:
            d[key] = value

    def money(self, v):
        return {"value": round(v, 2), "currency": "USD"}

    # ----- references -----
    def org_ref(self, org):
        if self.v2:
            if org.key not in self.orgs_in_bundle:
                self.orgs_in_bundle[org.key] = self.add(organization(org, self.v2))
            return {"reference": self.orgs_in_bundle[org.key], "display": org.name}
        return {"reference": f"Organization?identifier={SYNTHEA_ID}|{org.id}", "display": org.name}

    def loc_ref(self, org):
        return {"reference": f"Location?identifier={SYNTHEA_ID}|{org.loc_id}", "display": org.name}

    def prac_url(self, clin):
        if self.v2:
            if clin.npi not in self.clins_in_bundle:
                self.clins_in_bundle[clin.npi] = self.add(practitioner(clin, self.v2))
            return self.clins_in_bundle[clin.npi]
        return f"Practitioner?identifier={NPI}|{clin.npi}"

    # ----- Patient -----
    def patient(self):
        p = self.p
        pid = p["id"]
        r = {"resourceType": "Patient", "id": pid}
        self.put(r, "meta", self.meta("us-core-patient"))
        r["text"] = {"status": "generated", "div": (
            '<div xmlns="http://www.w3.org/1999/xhtml">Generated by <a href="https://github.com/'
            'synthetichealth/synthea">Synthea</a>.Version identifier: ' + p["version"]
            + "\n .   Person seed: " + p["seed"] + "  Population seed: " + p["pop_seed"] + "</div>")}
        ext = []
        race = p["race"]
        if race[0] == "detailed":   # 2.x: race "hispanic" had no OMB category
            race_ext = [{"url": "detailed", "valueCoding": {
                "system": "urn:oid:2.16.840.1.113883.6.238", "code": race[1], "display": race[2]}},
                {"url": "text", "valueString": race[3]}]
        else:
            race_ext = [{"url": "ombCategory", "valueCoding": {
                "system": "urn:oid:2.16.840.1.113883.6.238", "code": race[0], "display": race[1]}},
                {"url": "text", "valueString": race[1]}]
        ext.append({"url": USCORE + "us-core-race", "extension": race_ext})
        eth = p["ethnicity"]
        ext.append({"url": USCORE + "us-core-ethnicity", "extension": [
            {"url": "ombCategory", "valueCoding": {
                "system": "urn:oid:2.16.840.1.113883.6.238", "code": eth[0], "display": eth[1]}},
            {"url": "text", "valueString": eth[1]}]})
        ext.append({"url": "http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName",
                    "valueString": p["mothers_maiden"]})
        ext.append({"url": USCORE + "us-core-birthsex", "valueCode": p["birthsex"]})
        ext.append({"url": "http://hl7.org/fhir/StructureDefinition/patient-birthPlace",
                    "valueAddress": p["birthplace"]})
        ext.append({"url": SYNTHEA_EXT + "disability-adjusted-life-years", "valueDecimal": p["daly"]})
        ext.append({"url": SYNTHEA_EXT + "quality-adjusted-life-years", "valueDecimal": p["qaly"]})
        r["extension"] = ext
        dl_display = "Driver's license number" if self.late else "Driver's License"
        ids = [{"system": SYNTHEA_ID, "value": pid},
               {"type": cc(V2_0203, "MR", "Medical Record Number"),
                "system": "http://hospital.smarthealthit.org", "value": pid},
               {"type": cc(V2_0203, "SS", "Social Security Number"),
                "system": "http://hl7.org/fhir/sid/us-ssn", "value": p["ssn"]}]
        if p.get("dl"):
            ids.append({"type": cc(V2_0203, "DL", dl_display),
                        "system": "urn:oid:2.16.840.1.113883.4.3.25", "value": p["dl"]})
        if p.get("passport"):
            ids.append({"type": cc(V2_0203, "PPN", "Passport Number"),
                        "system": "http://standardhealthrecord.org/fhir/StructureDefinition/passportNumber",
                        "value": p["passport"]})
        r["identifier"] = ids
        names = [dict(use="official", family=p["family"], given=p["given"], **(
            {"prefix": [p["prefix"]]} if p.get("prefix") else {}))]
        if p.get("maiden"):
            names.append(dict(use="maiden", family=p["maiden"], given=p["given"], **(
                {"prefix": [p["prefix"]]} if p.get("prefix") else {})))
        r["name"] = names
        r["telecom"] = [{"system": "phone", "value": p["phone"], "use": "home"}]
        r["gender"] = p["gender"]
        r["birthDate"] = p["birthDate"]
        if p.get("deceased"):
            r["deceasedDateTime"] = self.zone.dt(p["deceased"])
        addr = {"extension": [{"url": "http://hl7.org/fhir/StructureDefinition/geolocation",
                               "extension": [{"url": "latitude", "valueDecimal": p["lat"]},
                                             {"url": "longitude", "valueDecimal": p["lon"]}]}],
                "line": [p["line"]], "city": p["city"],
                "state": "Massachusetts" if self.v2 else "MA"}
        self.put(addr, "postalCode", p.get("zip"))
        addr["country"] = "US"
        r["address"] = [addr]
        r["maritalStatus"] = cc("http://terminology.hl7.org/CodeSystem/v3-MaritalStatus",
                                p["marital"][0], p["marital"][1])
        if "multipleBirthInteger" in p:
            r["multipleBirthInteger"] = p["multipleBirthInteger"]
        else:
            r["multipleBirthBoolean"] = False
        r["communication"] = [{"language": cc("urn:ietf:bcp:47", p["lang"][0], p["lang"][1])}]
        self.patient_url = self.add(r)
        self.patient_display = " ".join(([p["prefix"]] if p.get("prefix") else [])
                                        + p["given"] + [p["family"]])
        self.patient_name = " ".join(p["given"] + [p["family"]])

    # ----- recording helpers used by the scenario scripts -----
    def encounter(self, kind, start, minutes, code, org, clin, **kw):
        e = Enc(kind, start, start + minutes * 60000, code, org, clin, **kw)
        self.encs.append(e)
        return e

    def condition(self, enc, code, stop=None, start=None):
        c = Item(code=code, start=start or enc.start, stop=stop)
        enc.conditions.append(c)
        enc.claim_items.append(("condition", c))
        return c

    def obs(self, enc, category, code, value=None, unit=None, components=None, extra_codes=(),
            report=None, start=None):
        o = Item(category=category, code=code, value=value, unit=unit, components=components,
                 extra_codes=extra_codes, report=report, start=start or enc.start)
        enc.observations.append(o)
        return o

    def vitals(self, enc, h=None, w=None, bmi=None, bp=None, hr=None, rr=None, pain=None,
               temp=None, spo2=None, head=None, head_pct=None, wfl=None, bmi_pct=None):
        vs = "vital-signs"
        if h is not None:
            self.obs(enc, vs, (LOINC, "8302-2", "Body Height"), h, "cm")
        if pain is not None:
            self.obs(enc, vs, (LOINC, "72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported"), pain, "{score}")
        if w is not None:
            self.obs(enc, vs, (LOINC, "29463-7", "Body Weight"), w, "kg")
        if head is not None:
            self.obs(enc, vs, (LOINC, "9843-4", "Head Occipital-frontal circumference"), head, "cm")
        if head_pct is not None:
            self.obs(enc, vs, (LOINC, "8289-1", "Head Occipital-frontal circumference Percentile"), head_pct, "%")
        if wfl is not None:
            self.obs(enc, vs, (LOINC, "77606-2", "Weight-for-length Per age and sex"), wfl, "%")
        if bmi is not None:
            self.obs(enc, vs, (LOINC, "39156-5", "Body Mass Index"), bmi, "kg/m2")
        if bmi_pct is not None:
            self.obs(enc, vs, (LOINC, "59576-9", "Body mass index (BMI) [Percentile] Per age and sex"), bmi_pct, "%")
        if bp is not None:
            self.obs(enc, vs, (LOINC, "85354-9", "Blood pressure panel with all children optional"), components=[
                ((LOINC, "8462-4", "Diastolic Blood Pressure"), bp[1], "mm[Hg]"),
                ((LOINC, "8480-6", "Systolic Blood Pressure"), bp[0], "mm[Hg]")])
        if hr is not None:
            self.obs(enc, vs, (LOINC, "8867-4", "Heart rate"), hr, "/min")
        if rr is not None:
            self.obs(enc, vs, (LOINC, "9279-1", "Respiratory rate"), rr, "/min")
        if temp is not None:
            self.obs(enc, vs, (LOINC, "8310-5", "Body temperature"), temp, "Cel")
        if spo2 is not None:
            self.obs(enc, vs, (LOINC, "2708-6", "Oxygen saturation in Arterial blood"), spo2, "%",
                     extra_codes=[(LOINC, "59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry")])

    def smoking(self, enc, status):
        self.obs(enc, "survey", (LOINC, "72166-2", "Tobacco smoking status"), status)

    def panel(self, enc, code, results):
        rep = Item(code=code, observations=[], start=enc.start)
        for c, v, u in results:
            rep.observations.append(self.obs(enc, "laboratory", c, v, u, report=rep))
        enc.reports.append(rep)
        return rep

    def procedure(self, enc, code, cost, minutes=None, reason=None, start=None):
        s = start or enc.start
        pr = Item(code=code, start=s, stop=(s + minutes * 60000) if minutes else None,
                  reason=reason, cost=cost)
        enc.procedures.append(pr)
        enc.claim_items.append(("procedure", pr))
        return pr

    def immunization(self, enc, code, cost=140.52):
        im = Item(code=code, start=enc.start, cost=cost)
        enc.immunizations.append(im)
        enc.claim_items.append(("immunization", im))
        return im

    def medication(self, enc, code, stop=None, reason=None, dosage=None, administered=False,
                   cost=None, payer=None, refills=None):
        m = Item(code=code, start=enc.start, stop=stop, reason=reason, dosage=dosage,
                 administered=administered, cost=cost, payer=payer or enc.payer, refills=refills)
        enc.medications.append(m)
        return m

    def allergy(self, enc, code, category="food", kind="allergy", reactions=(), stop=None):
        a = Item(code=code, start=enc.start, stop=stop, category=category, kind=kind,
                 reactions=reactions)
        enc.allergies.append(a)
        return a

    def careplan(self, enc, code, activities, reason=None, stop=None, goals=()):
        c = Item(code=code, start=enc.start, stop=stop, activities=activities, reason=reason,
                 goals=goals)
        enc.careplans.append(c)
        return c

    def device(self, enc, code, udi_di, lot, serial, made, expires, manufacturer=None, model=None):
        enc.devices.append(Item(code=code, di=udi_di, lot=lot, serial=serial, made=made,
                                expires=expires, manufacturer=manufacturer, model=model))

    def supply(self, enc, code, qty):
        enc.supplies.append(Item(code=code, qty=qty, start=enc.start))

    def imaging(self, enc, code, study_uid, series):
        enc.imaging.append(Item(code=code, uid=study_uid, series=series, start=enc.start))

    # ----- building the Bundle -----
    def build(self):
        self.patient()
        last = self.encs[-1]
        for e in self.encs:
            self.emit(e, e is last)
        if not self.v2:
            self.provenance()
        return {"resourceType": "Bundle", "type": "transaction", "entry": self.entries}

    def emit(self, e, is_last):
        z = self.zone
        period = {"start": z.dt(e.start), "end": z.dt(e.stop)}
        # Encounter (2.x adds the Organization and Practitioner entries first, on first use)
        org_ref = self.org_ref(e.org)
        prac_url = self.prac_url(e.clin) if e.clin else None
        eid = self.new_id()
        r = {"resourceType": "Encounter", "id": eid}
        self.put(r, "meta", self.meta("us-core-encounter"))
        if not self.v2:
            r["identifier"] = [{"use": "official", "system": SYNTHEA_ID, "value": eid}]
        r["status"] = "finished"
        r["class"] = {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                      "code": {"emergency": "EMER", "inpatient": "IMP"}.get(e.kind, "AMB")}
        r["type"] = [cc(*e.code)]
        r["subject"] = {"reference": self.patient_url, "display": self.patient_display}
        if e.clin:
            part = {}
            if not self.v2:
                part["type"] = [cc("http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                                   "PPRF", "primary performer")]
                part["period"] = dict(period)
            part["individual"] = {"reference": prac_url, "display": e.clin.display}
            r["participant"] = [part]
        r["period"] = period
        if e.reason:
            r["reasonCode"] = [{"coding": [{"system": e.reason[0], "code": e.reason[1],
                                            "display": e.reason[2]}]}]
        if e.discharge:
            r["hospitalization"] = {"dischargeDisposition": cc(NUBC, *e.discharge)}
        if not self.v2:
            r["location"] = [{"location": self.loc_ref(e.org)}]
        r["serviceProvider"] = org_ref
        enc_url = self.add(r)
        e.url = enc_url
        e.prac_ref = {"reference": prac_url, "display": e.clin.display} if e.clin else None
        for c in e.conditions:
            self.emit_condition(e, c)
        for a in e.allergies:
            self.emit_allergy(e, a)
        for o in e.observations:
            if isinstance(o.value, dict) and "attachment" in o.value:
                self.emit_media(e, o)
            else:
                self.emit_observation(e, o)
        for pr in e.procedures:
            self.emit_procedure(e, pr)
        for d in e.devices:
            self.emit_device(d)
        if not self.v2:
            for s in e.supplies:
                self.emit_supply(s)
        for m in e.medications:
            self.emit_medication(e, m)
        for im in e.immunizations:
            self.emit_immunization(e, im)
        for rep in e.reports:
            self.emit_report(e, rep)
        for cp in e.careplans:
            ct = self.emit_careteam(e, cp)
            self.emit_careplan(e, cp, ct)
        for st in e.imaging:
            self.emit_imaging(e, st)
        if not self.v2:
            self.emit_note(e, is_last)
        claim_url, claim_id, claim = self.emit_encounter_claim(e)
        self.emit_eob(e, claim_url, claim_id, claim, e.payer)

    def find_condition(self, code):
        for en in self.entries:
            r = en["resource"]
            if r["resourceType"] == "Condition" and r["code"]["coding"][0]["code"] == code:
                return en["fullUrl"]
        return None

    def emit_condition(self, e, c):
        z = self.zone
        r = {"resourceType": "Condition", "id": self.new_id()}
        if not self.v2:
            r["meta"] = {"profile": [USCORE + ("us-core-condition-encounter-diagnosis" if self.late
                                               else "us-core-condition")]}
        r["clinicalStatus"] = coding_only("http://terminology.hl7.org/CodeSystem/condition-clinical",
                                          "resolved" if c.stop else "active")
        r["verificationStatus"] = coding_only(
            "http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed")
        if not self.v2:
            r["category"] = [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-category",
                                          "code": "encounter-diagnosis", "display": "Encounter Diagnosis"}]}]
        r["code"] = cc(*c.code)
        r["subject"] = {"reference": self.patient_url}
        r["encounter"] = {"reference": e.url}
        r["onsetDateTime"] = z.dt(c.start)
        if c.stop:
            r["abatementDateTime"] = z.dt(c.stop)
        r["recordedDate"] = z.dt(c.start)
        c.full_url = self.add(r)
        if not c.stop:
            self.active_conditions.append(c.code[2])

    def emit_allergy(self, e, a):
        r = {"resourceType": "AllergyIntolerance", "id": self.new_id()}
        self.put(r, "meta", self.meta("us-core-allergyintolerance"))
        r["clinicalStatus"] = coding_only(
            "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
            "inactive" if a.stop else "active")
        r["verificationStatus"] = coding_only(
            "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "confirmed")
        if self.late:
            r["type"] = a.kind
            r["category"] = [a.category]
        else:   # before 3.1 every allergy was an allergy to food (TODO in the exporter)
            r["type"] = "allergy"
            r["category"] = ["food"]
        r["criticality"] = "low"
        r["code"] = cc(*a.code)
        r["patient"] = {"reference": self.patient_url}
        r["recordedDate"] = self.zone.dt(a.start)
        if self.late and a.reactions:
            r["reaction"] = [dict({"manifestation": [cc(SNOMED, m[0], m[1])]},
                                  **({"severity": m[2]} if m[2] else {})) for m in a.reactions]
        a.full_url = self.add(r)
        self.allergy_names.append(a.code[2])

    def value(self, v, unit):
        if isinstance(v, tuple):
            return "valueCodeableConcept", cc(*v)
        if isinstance(v, str):
            return "valueString", v
        if isinstance(v, bool):
            return "valueBoolean", v
        return "valueQuantity", {"value": self.num(v), "unit": unit, "system": UCUM, "code": unit}

    def obs_profiles(self, o):
        code = o.code[1]
        m = {"8302-2": "us-core-body-height", "29463-7": "us-core-body-weight",
             "39156-5": "us-core-bmi", "85354-9": "us-core-blood-pressure",
             "8867-4": "us-core-heart-rate", "9279-1": "us-core-respiratory-rate",
             "8310-5": "us-core-body-temperature", "9843-4": "us-core-head-circumference",
             "8289-1": "head-occipital-frontal-circumference-percentile",
             "77606-2": "pediatric-weight-for-height", "59576-9": "pediatric-bmi-for-age",
             "72166-2": "us-core-smokingstatus", "2708-6": "us-core-pulse-oximetry"}
        if self.late:
            m["71802-3"] = "us-core-observation-sdoh-assessment"
        prof = []
        if code in m:
            prof.append(USCORE + m[code])
        elif o.report is not None and o.category == "laboratory":
            prof.append(USCORE + "us-core-observation-lab")
        if self.late:
            extra = {"social-history": "us-core-observation-social-history",
                     "survey": "us-core-observation-survey",
                     "exam": "us-core-observation-clinical-test"}.get(o.category)
            if extra:
                prof.append(USCORE + extra)
        return prof

    def emit_observation(self, e, o):
        z = self.zone
        r = {"resourceType": "Observation", "id": self.new_id()}
        if not self.v2:
            prof = self.obs_profiles(o)
            if prof:
                r["meta"] = {"profile": prof}
        r["status"] = "final"
        disp = o.category.replace("-", " ").capitalize() if self.late else o.category
        cats = [{"coding": [{"system": OBS_CAT, "code": o.category, "display": disp}]}]
        if self.late and o.category == "exam":
            cats.append({"coding": [{"system": "http://hl7.org/fhir/us/core/CodeSystem/us-core-observation-category",
                                     "code": "clinical-test", "display": "Clinical Test"}]})
        r["category"] = cats
        code = cc(*o.code)
        for x in o.extra_codes:
            code["coding"].append({"system": x[0], "code": x[1], "display": x[2]})
        r["code"] = code
        r["subject"] = {"reference": self.patient_url}
        r["encounter"] = {"reference": e.url}
        r["effectiveDateTime"] = z.dt(o.start)
        r["issued"] = z.instant(o.start)
        if o.components:
            comps = []
            for c, v, u in o.components:
                k, val = self.value(v, u)
                comps.append({"code": cc(*c), k: val})
            r["component"] = comps
        else:
            k, val = self.value(o.value, o.unit)
            r[k] = val
        o.full_url = self.add(r)

    def emit_media(self, e, o):
        att = o.value["attachment"]
        r = {"resourceType": "Media", "id": self.new_id(), "status": "completed",
             "type": cc("http://terminology.hl7.org/CodeSystem/media-type", "image", "Image"),
             "subject": {"reference": self.patient_url}, "encounter": {"reference": e.url},
             "reasonCode": [cc(*o.code)], "height": o.value["height"], "width": o.value["width"],
             "content": att}
        o.full_url = self.add(r)

    def emit_procedure(self, e, pr):
        z = self.zone
        r = {"resourceType": "Procedure", "id": self.new_id()}
        self.put(r, "meta", self.meta("us-core-procedure"))
        r["status"] = "completed"
        r["code"] = cc(*pr.code)
        r["subject"] = {"reference": self.patient_url}
        r["encounter"] = {"reference": e.url}
        if pr.stop:
            r["performedPeriod"] = {"start": z.dt(pr.start), "end": z.dt(pr.stop)}
        else:
            r["performedDateTime"] = z.dt(pr.start)
        if not self.v2:
            r["location"] = self.loc_ref(e.org)
        if pr.reason:
            url = self.find_condition(pr.reason[1])
            if url:
                r["reasonReference"] = [{"reference": url, "display": pr.reason[2]}]
            elif self.late:
                r["reasonCode"] = [cc(*pr.reason)]
        pr.full_url = self.add(r)

    def emit_device(self, d):
        z = self.zone
        r = {"resourceType": "Device", "id": self.new_id()}
        self.put(r, "meta", self.meta("us-core-implantable-device"))
        udi = f"(01){d.di}(11){z.local(d.made)[0]:%y%m%d}(17){z.local(d.expires)[0]:%y%m%d}(10){d.lot}(21){d.serial}"
        r["udiCarrier"] = [{"deviceIdentifier": d.di, "carrierHRF": udi}]
        r["status"] = "active"
        r["distinctIdentifier"] = d.di
        if d.manufacturer and not self.v2:
            r["manufacturer"] = d.manufacturer
        r["manufactureDate"] = z.dt(d.made)
        r["expirationDate"] = z.dt(d.expires)
        r["lotNumber"] = d.lot
        r["serialNumber"] = d.serial
        r["deviceName"] = [{"name": d.code[2], "type": "user-friendly-name"}]
        if d.model and not self.v2:
            r["modelNumber"] = d.model
        r["type"] = cc(*d.code)
        r["patient"] = {"reference": self.patient_url}
        self.add(r)

    def emit_supply(self, s):
        r = {"resourceType": "SupplyDelivery", "id": self.new_id(), "status": "completed",
             "patient": {"reference": self.patient_url},
             "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/supply-item-type",
                                  "code": "device", "display": "Device"}]},
             "suppliedItem": {"quantity": {"value": s.qty}, "itemCodeableConcept": cc(*s.code)},
             "occurrenceDateTime": self.zone.dt(s.start)}
        self.add(r)

    def emit_medication(self, e, m):
        z = self.zone
        concept = cc(*m.code)
        med_url = None
        if m.administered and not self.v2:
            drug = {"resourceType": "Medication", "id": self.new_id(),
                    "meta": {"profile": [USCORE + "us-core-medication"]},
                    "code": cc(*m.code), "status": "active"}
            med_url = self.add(drug)
        r = {"resourceType": "MedicationRequest", "id": self.new_id()}
        self.put(r, "meta", self.meta("us-core-medicationrequest"))
        if m.stop:
            r["status"] = "completed" if self.late else "stopped"
        else:
            r["status"] = "active"
        r["intent"] = "order"
        if self.late:
            cat = cc("http://terminology.hl7.org/CodeSystem/medicationrequest-category", "community", "Community")
            if med_url and e.kind == "inpatient":
                cat = cc("http://terminology.hl7.org/CodeSystem/medicationrequest-category", "inpatient", "Inpatient")
            r["category"] = [cat]
        if med_url:
            r["medicationReference"] = {"reference": med_url}
        else:
            r["medicationCodeableConcept"] = concept
        r["subject"] = {"reference": self.patient_url}
        r["encounter"] = {"reference": e.url}
        r["authoredOn"] = z.dt(m.start)
        if e.prac_ref:
            r["requester"] = dict(e.prac_ref)
        if m.reason:
            url = self.find_condition(m.reason[1])
            if url:
                ref = {"reference": url}
                if self.late:
                    ref["display"] = m.reason[2]
                r["reasonReference"] = [ref]
        if m.dosage is not None:
            d = {"sequence": 1}
            dz = m.dosage
            if dz.get("as_needed"):
                if not self.v2:
                    d["text"] = "Take as needed."
                d["asNeededBoolean"] = True
            else:
                instr = dz.get("instructions", [])
                if instr and not self.v2:
                    d["text"] = "".join(i[1] + "\n" for i in instr)
                    if self.late:
                        d["text"] = d["text"][:-1]
                if instr:
                    d["additionalInstruction"] = [cc(SNOMED, *i) for i in instr]
                d["timing"] = {"repeat": {"frequency": dz["frequency"], "period": float(dz["period"]),
                                          "periodUnit": dz["unit"]}}
                d["asNeededBoolean"] = False
                d["doseAndRate"] = [{"type": cc("http://terminology.hl7.org/CodeSystem/dose-rate-type",
                                                "ordered", "Ordered", text=False),
                                     "doseQuantity": {"value": float(dz["amount"])}}]
            # HAPI writes Dosage in element order: sequence, text, additionalInstruction, timing, asNeeded, doseAndRate
            order = ["sequence", "text", "additionalInstruction", "timing", "asNeededBoolean", "doseAndRate"]
            r["dosageInstruction"] = [{k: d[k] for k in order if k in d}]
        m.full_url = self.add(r)
        if not m.stop:
            self.active_meds.append(m.code[2])
        # the prescription's own Claim (3.2+: and its ExplanationOfBenefit)
        cid = self.new_id()
        claim = {"resourceType": "Claim", "id": cid, "status": "active",
                 "type": coding_only("http://terminology.hl7.org/CodeSystem/claim-type", "pharmacy"),
                 "use": "claim", "patient": {"reference": self.patient_url},
                 "billablePeriod": {"start": z.dt(e.start), "end": z.dt(e.stop)},
                 "created": z.dt(e.stop), "provider": self.org_ref(e.org),
                 "priority": coding_only("http://terminology.hl7.org/CodeSystem/processpriority", "normal"),
                 "prescription": {"reference": m.full_url},
                 "insurance": [{"sequence": 1, "focal": True, "coverage": {"display": m.payer}}],
                 "item": [{"sequence": 1,
                           "productOrService": cc(*m.code) if self.late else cc(*e.code),
                           "encounter": [{"reference": e.url}]}],
                 "total": self.money(m.cost)}
        claim_url = self.add(claim)
        if self.late:
            self.emit_eob(e, claim_url, cid, claim, m.payer)
        if m.administered:
            a = {"resourceType": "MedicationAdministration", "id": self.new_id(),
                 "status": "completed", "medicationCodeableConcept": cc(*m.code),
                 "subject": {"reference": self.patient_url}, "context": {"reference": e.url},
                 "effectiveDateTime": z.dt(m.start)}
            if m.reason:
                url = self.find_condition(m.reason[1])
                if url:
                    ref = {"reference": url}
                    if self.late:
                        ref["display"] = m.reason[2]
                    a["reasonReference"] = [ref]
            if m.dosage is not None:
                dose = {}
                if not m.dosage.get("as_needed"):
                    instr = m.dosage.get("instructions", [])
                    if instr:
                        dose["text"] = instr[-1][1]
                    dose["dose"] = {"value": float(m.dosage["amount"])}
                if m.refills is not None and not self.v2:
                    dose["rateQuantity"] = {"value": m.refills}
                a["dosage"] = dose
            self.add(a)

    def emit_immunization(self, e, im):
        r = {"resourceType": "Immunization", "id": self.new_id()}
        self.put(r, "meta", self.meta("us-core-immunization"))
        r["status"] = "completed"
        r["vaccineCode"] = cc(*im.code)
        r["patient"] = {"reference": self.patient_url}
        r["encounter"] = {"reference": e.url}
        r["occurrenceDateTime"] = self.zone.dt(im.start)
        r["primarySource"] = True
        if not self.v2:
            r["location"] = self.loc_ref(e.org)
        im.full_url = self.add(r)

    def emit_report(self, e, rep):
        z = self.zone
        r = {"resourceType": "DiagnosticReport", "id": self.new_id()}
        labs = all(o.category == "laboratory" for o in rep.observations)
        if not self.v2 and labs:
            r["meta"] = {"profile": [USCORE + "us-core-diagnosticreport-lab"]}
        r["status"] = "final"
        if labs or not self.late:   # before 3.2 every report got LAB
            r["category"] = [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0074",
                                          "code": "LAB", "display": "Laboratory"}]}]
        r["code"] = cc(*rep.code)
        r["subject"] = {"reference": self.patient_url}
        r["encounter"] = {"reference": e.url}
        r["effectiveDateTime"] = z.dt(rep.start)
        r["issued"] = z.instant(rep.start)
        if not self.v2 and labs:
            r["performer"] = [self.org_ref(e.org)]
        r["result"] = [{"reference": o.full_url, "display": o.code[2]} for o in rep.observations]
        self.add(r)

    def emit_careteam(self, e, cp):
        z = self.zone
        r = {"resourceType": "CareTeam", "id": self.new_id()}
        self.put(r, "meta", self.meta("us-core-careteam"))
        r["status"] = "inactive" if cp.stop else "active"
        r["subject"] = {"reference": self.patient_url}
        r["encounter"] = {"reference": e.url}
        period = {"start": z.dt(cp.start)}
        if cp.stop:
            period["end"] = z.dt(cp.stop)
        r["period"] = period
        if self.v2:   # 2.x role codes (wrong SNOMED codes, fixed in 3.0)
            roles = [(SNOMED, "116153009", "Patient"),
                     (SNOMED, "303118004", "Person in the healthcare environment (person)"),
                     (SNOMED, "303118004", "Healthcare related organization (qualifier value)")]
        else:
            roles = [(SNOMED, "116154003", "Patient"),
                     (SNOMED, "223366009", "Healthcare professional (occupation)"),
                     (SNOMED, "224891009", "Healthcare services (qualifier value)")]
        parts = [{"role": [cc(*roles[0])],
                  "member": {"reference": self.patient_url, "display": self.patient_display}}]
        if e.prac_ref:
            parts.append({"role": [cc(*roles[1])], "member": dict(e.prac_ref)})
        parts.append({"role": [cc(*roles[2])], "member": self.org_ref(e.org)})
        r["participant"] = parts
        if cp.reason:
            r["reasonCode"] = [cc(*cp.reason)]
        r["managingOrganization"] = [self.org_ref(e.org)]
        return self.add(r)

    def emit_careplan(self, e, cp, careteam_url):
        z = self.zone
        done = cp.stop is not None
        goal_status = coding_only("http://terminology.hl7.org/CodeSystem/goal-achievement",
                                  "achieved" if done else "in-progress")
        cond_url = self.find_condition(cp.reason[1]) if cp.reason else None
        goal_urls = []
        for g in cp.goals:
            gr = {"resourceType": "Goal", "id": self.new_id()}
            self.put(gr, "meta", self.meta("us-core-goal"))
            gr["lifecycleStatus"] = "accepted"
            gr["achievementStatus"] = goal_status
            gr["description"] = {"text": g}
            gr["subject"] = {"reference": self.patient_url}
            gr["target"] = [{"measure": {"text": g},
                             "dueDate": z.date(cp.start + 30 * 86400000)}]
            if cond_url:
                gr["addresses"] = [{"reference": cond_url}]
            goal_urls.append(self.add(gr))
        narrative = "Care Plan for " + cp.code[2] + "."
        reason_text = ("<br/>Care plan is meant to treat " + cp.reason[2] + ".") if cp.reason else ""
        if self.late:
            narrative += reason_text
        if cp.activities:
            # the exporter repeats the plan's own display once per activity
            narrative += "<br/>Activities: <ul>" + "".join(
                "<li>" + cp.code[2] + "</li>" for _ in cp.activities) + "</ul>"
        if not self.late:
            narrative += reason_text
        r = {"resourceType": "CarePlan", "id": self.new_id()}
        self.put(r, "meta", self.meta("us-core-careplan"))
        r["text"] = {"status": "generated",
                     "div": '<div xmlns="http://www.w3.org/1999/xhtml">' + narrative + "</div>"}
        r["status"] = "completed" if done else "active"
        r["intent"] = "order"
        cats = []
        if not self.v2:
            cats.append(coding_only("http://hl7.org/fhir/us/core/CodeSystem/careplan-category", "assess-plan"))
        cats.append(cc(*cp.code))
        r["category"] = cats
        r["subject"] = {"reference": self.patient_url}
        r["encounter"] = {"reference": e.url}
        period = {"start": z.dt(cp.start)}
        if done:
            period["end"] = z.dt(cp.stop)
        r["period"] = period
        r["careTeam"] = [{"reference": careteam_url}]
        if cond_url:
            r["addresses"] = [{"reference": cond_url}]
        if goal_urls:
            r["goal"] = [{"reference": u} for u in goal_urls]
        acts = []
        for a in cp.activities:
            det = {"code": cc(*a)}
            if self.late and cond_url:
                det["reasonReference"] = [{"reference": cond_url}]
            det["status"] = "completed" if done else "in-progress"
            # transaction Bundles hold no Location, so only the display is left
            det["location"] = {"display": e.org.name}
            acts.append({"detail": det})
        if acts:
            r["activity"] = acts
        self.add(r)

    def emit_imaging(self, e, st):
        z = self.zone
        r = {"resourceType": "ImagingStudy", "id": self.new_id(),
             "identifier": [{"use": "official", "system": "urn:ietf:rfc:3986",
                             "value": "urn:oid:" + st.uid}],
             "status": "available", "subject": {"reference": self.patient_url},
             "encounter": {"reference": e.url}, "started": z.dt(st.start),
             "numberOfSeries": len(st.series),
             "numberOfInstances": sum(len(s["instances"]) for s in st.series)}
        if not self.v2:
            r["procedureCode"] = [cc(*st.code)]
            r["location"] = self.loc_ref(e.org)
        series = []
        for n, s in enumerate(st.series, 1):
            mod_sys = DCM_V2 if self.v2 else DCM_V3
            sr = {"uid": s["uid"], "number": n,
                  "modality": {"system": mod_sys, "code": s["modality"][0], "display": s["modality"][1]},
                  "numberOfInstances": len(s["instances"]),
                  "bodySite": {"system": SNOMED, "code": s["body"][0], "display": s["body"][1]},
                  "started": z.dt(st.start)}
            inst = []
            for k, (uid, sop, title) in enumerate(s["instances"], 1):
                inst.append({"uid": uid, "sopClass": {"system": "urn:ietf:rfc:3986",
                                                      "code": ("urn:oid:" + sop) if self.late else sop},
                             "number": k, "title": title})
            sr["instance"] = inst
            series.append(sr)
        r["series"] = series
        self.add(r)

    def note_text(self, e):
        p = self.p
        age = int((e.start - p["birth_ms"]) / (365.25 * 86400000))
        who = "newborn" if age < 1 else f"{age} year-old"
        lines = ["", self.zone.date(e.start), "", "# Chief Complaint", e.complaint, "",
                 "# History of Present Illness", p["given"][0], f" is a {who} {p['hpi']}.", ""]
        lines += ["# Social History", " " + p["social"], "", "",
                  f"Patient comes from a {p['ses']} socioeconomic background.", "",
                  f"Patient currently has {e.payer}.", "", "# Allergies"]
        lines.append(("Patient is allergic to " + ", ".join(self.allergy_names).lower() + ".")
                     if self.allergy_names else "No Known Allergies.")
        lines += ["", "# Medications"]
        lines.append("; ".join(x.lower() for x in self.active_meds) if self.active_meds
                     else "No Active Medications.")
        lines += ["", "# Assessment and Plan"]
        if e.conditions:
            lines.append("Patient is presenting with " + ", ".join(
                c.code[2].lower() for c in e.conditions) + ". ")
        lines += ["", "## Plan"]
        plan = []
        if e.immunizations:
            plan.append("Patient was given the following immunizations: " + ", ".join(
                i.code[2].lower() for i in e.immunizations) + ". ")
        if e.procedures:
            plan.append("The following procedures were conducted:\n" + "".join(
                "- " + x.code[2].lower() + "\n" for x in e.procedures))
        if e.medications:
            plan.append("The patient was prescribed the following medications:\n" + "".join(
                "- " + x.code[2].lower() + "\n" for x in e.medications))
        if e.careplans:
            plan.append("The patient was placed on a careplan:\n" + "".join(
                "- " + x.code[2].lower() + "\n" for x in e.careplans))
        lines.append("".join(plan))
        return "\n".join(lines) + "\n"

    def emit_note(self, e, is_last):
        z = self.zone
        data = base64.b64encode(self.note_text(e).encode("utf-8")).decode("ascii")
        plan_display = "Evaluation + Plan note" if self.late else "Evaluation+Plan note"
        codes = {"coding": [{"system": LOINC, "code": "34117-2", "display": "History and physical note"},
                            {"system": LOINC, "code": "51847-2", "display": plan_display}]}
        performer = dict(e.prac_ref) if e.prac_ref else self.org_ref(e.org)
        did = self.new_id()
        dr = {"resourceType": "DiagnosticReport", "id": did,
              "meta": {"profile": [USCORE + "us-core-diagnosticreport-note"]},
              "status": "final", "category": [json.loads(json.dumps(codes))],
              "code": json.loads(json.dumps(codes)), "subject": {"reference": self.patient_url},
              "encounter": {"reference": e.url}, "effectiveDateTime": z.dt(e.start),
              "issued": z.instant(e.start), "performer": [performer],
              "presentedForm": [{"contentType": "text/plain; charset=utf-8", "data": data}]}
        self.add(dr)
        fmt_system = ("http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode" if self.late
                      else "http://ihe.net/fhir/ValueSet/IHE.FormatCode.codesystem")
        doc = {"resourceType": "DocumentReference", "id": self.new_id(),
               "meta": {"profile": [USCORE + "us-core-documentreference"]},
               "identifier": [{"system": "urn:ietf:rfc:3986", "value": "urn:uuid:" + did}],
               "status": "current" if is_last else "superseded",
               "type": json.loads(json.dumps(codes)),
               "category": [{"coding": [{"system": "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category",
                                         "code": "clinical-note", "display": "Clinical Note"}]}],
               "subject": {"reference": self.patient_url}, "date": z.instant(e.start),
               "author": [dict(performer)], "custodian": self.org_ref(e.org),
               "content": [{"attachment": {"contentType": "text/plain; charset=utf-8", "data": data},
                            "format": {"system": fmt_system, "code": "urn:ihe:iti:xds:2017:mimeTypeSufficient",
                                       "display": "mimeType Sufficient"}}],
               "context": {"encounter": [{"reference": e.url}],
                           "period": {"start": z.dt(e.start), "end": z.dt(e.stop)}}}
        self.add(doc)

    def emit_encounter_claim(self, e):
        z = self.zone
        cid = self.new_id()
        r = {"resourceType": "Claim", "id": cid, "status": "active",
             "type": coding_only("http://terminology.hl7.org/CodeSystem/claim-type", "institutional"),
             "use": "claim",
             "patient": {"reference": self.patient_url, "display": self.patient_name},
             "billablePeriod": {"start": z.dt(e.start), "end": z.dt(e.stop)},
             "created": z.dt(e.stop), "provider": self.org_ref(e.org),
             "priority": coding_only("http://terminology.hl7.org/CodeSystem/processpriority", "normal")}
        if not self.v2:
            r["facility"] = self.loc_ref(e.org)
        items = [{"sequence": 1, "productOrService": cc(*e.code), "encounter": [{"reference": e.url}]}]
        info, diag, procs = [], [], []
        total = e.cost
        for kind, it in e.claim_items:
            seq = len(items) + 1
            if kind == "condition":
                diag.append({"sequence": len(diag) + 1, "diagnosisReference": {"reference": it.full_url}})
                items.append({"sequence": seq, "diagnosisSequence": [len(diag)],
                              "productOrService": cc(*it.code)})
            elif kind == "procedure":
                procs.append({"sequence": len(procs) + 1, "procedureReference": {"reference": it.full_url}})
                items.append({"sequence": seq, "procedureSequence": [len(procs)],
                              "productOrService": cc(*it.code), "net": self.money(it.cost)})
                total += it.cost
            else:
                info.append({"sequence": len(info) + 1,
                             "category": coding_only("http://terminology.hl7.org/CodeSystem/claiminformationcategory", "info"),
                             "valueReference": {"reference": it.full_url}})
                items.append({"sequence": seq, "informationSequence": [len(info)],
                              "productOrService": cc(*it.code), "net": self.money(it.cost)})
                total += it.cost
        if info:
            r["supportingInfo"] = info
        if diag:
            r["diagnosis"] = diag
        if procs:
            r["procedure"] = procs
        r["insurance"] = [{"sequence": 1, "focal": True, "coverage": {"display": e.payer}}]
        r["item"] = items
        r["total"] = self.money(total)
        return self.add(r), cid, r

    def emit_eob(self, e, claim_url, claim_id, claim, payer):
        z = self.zone
        if e.clin:
            prov = {"reference": self.prac_url(e.clin)}
            if self.late:
                prov["display"] = e.clin.display
        else:
            prov = {"reference": f"Location?identifier={SYNTHEA_ID}|{e.org.loc_id}"}
        role_display = "Primary provider" if self.late else "Primary Care Practitioner"
        referral = {"resourceType": "ServiceRequest", "id": "referral", "status": "completed",
                    "intent": "order", "subject": {"reference": self.patient_url},
                    "requester": dict(prov), "performer": [dict(prov)]}
        coverage = {"resourceType": "Coverage", "id": "coverage", "status": "active",
                    "type": {"text": payer}, "beneficiary": {"reference": self.patient_url},
                    "payor": [{"display": payer}]}
        r = {"resourceType": "ExplanationOfBenefit", "id": self.new_id(),
             "contained": [referral, coverage],
             "identifier": [{"system": "https://bluebutton.cms.gov/resources/variables/clm_id", "value": claim_id},
                            {"system": "https://bluebutton.cms.gov/resources/identifier/claim-group",
                             "value": "99999999999"}],
             "status": "active", "type": claim["type"], "use": "claim",
             "patient": {"reference": self.patient_url},
             "billablePeriod": {"start": z.dt(e.stop), "end": z.dt(add_years(e.stop, 1, z))},
             "created": z.dt(e.stop), "insurer": {"display": payer}, "provider": dict(prov),
             "referral": {"reference": "#referral"}}
        if not self.v2:
            r["facility"] = self.loc_ref(e.org)
        r["claim"] = {"reference": claim_url}
        r["outcome"] = "complete"
        r["careTeam"] = [{"sequence": 1, "provider": dict(prov),
                          "role": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claimcareteamrole",
                                               "code": "primary", "display": role_display}]}}]
        if "diagnosis" in claim:
            r["diagnosis"] = [{"sequence": d["sequence"], "diagnosisReference": d["diagnosisReference"],
                               "type": [coding_only("http://terminology.hl7.org/CodeSystem/ex-diagnosistype", "principal")]}
                              for d in claim["diagnosis"]]
        r["insurance"] = [{"focal": True, "coverage": {"reference": "#coverage", "display": payer}}]
        place = {"wellness": ("19", "Off Campus-Outpatient Hospital"),
                 "emergency": ("20", "Urgent Care Facility"),
                 "urgentcare": ("20", "Urgent Care Facility")}.get(e.kind, ("21", "Inpatient Hospital"))
        items, payment = [], 0.0
        for it in claim["item"]:
            x = {"sequence": it["sequence"]}
            for k in ("diagnosisSequence", "informationSequence"):   # procedureSequence is not copied
                if k in it:
                    x[k] = it[k]
            x["category"] = {"coding": [{"system": "https://bluebutton.cms.gov/resources/variables/line_cms_type_srvc_cd",
                                         "code": "1", "display": "Medical care"}]}
            x["productOrService"] = it["productOrService"]
            x["servicedPeriod"] = {"start": z.dt(e.start), "end": z.dt(e.stop)}
            x["locationCodeableConcept"] = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/ex-serviceplace",
                                                        "code": place[0], "display": place[1]}]}
            if "net" in it:
                x["net"] = it["net"]
            if "encounter" in it:
                x["encounter"] = it["encounter"]
            if "net" in it:
                net = it["net"]["value"]
                bb = "https://bluebutton.cms.gov/resources/variables/"
                adj = [("line_coinsrnc_amt", "Line Beneficiary Coinsurance Amount", 0.2 * net),
                       ("line_prvdr_pmt_amt", "Line Provider Payment Amount", 0.8 * net),
                       ("line_sbmtd_chrg_amt", "Line Submitted Charge Amount", net),
                       ("line_alowd_chrg_amt", "Line Allowed Charge Amount", net),
                       ("line_bene_ptb_ddctbl_amt", "Line Beneficiary Part B Deductible Amount", 0),
                       ("line_prcsg_ind_cd", "Line Processing Indicator Code", None)]
                x["adjudication"] = []
                for code, disp, amt in adj:
                    a = {"category": {"coding": [{"system": "https://bluebutton.cms.gov/resources/codesystem/adjudication",
                                                  "code": bb + code, "display": disp}]}}
                    if amt is not None:
                        a["amount"] = {"value": amt, "currency": "USD"}
                    x["adjudication"].append(a)
                payment += 0.8 * net
            items.append(x)
        r["item"] = items
        r["total"] = [{"category": cc("http://terminology.hl7.org/CodeSystem/adjudication", "submitted",
                                      "Submitted Amount"),
                       "amount": claim["total"]}]
        r["payment"] = {"amount": {"value": payment, "currency": "USD"}}
        self.add(r)

    def provenance(self):
        z = self.zone
        last = [e for e in self.encs if e.clin][-1]
        who = {"reference": f"Practitioner?identifier={NPI}|{last.clin.npi}", "display": last.clin.display}
        org = {"reference": f"Organization?identifier={SYNTHEA_ID}|{self.pcp_org.id}", "display": self.pcp_org.name}
        r = {"resourceType": "Provenance", "id": self.new_id(),
             "meta": {"profile": [USCORE + "us-core-provenance"]},
             "target": [{"reference": en["fullUrl"]} for en in self.entries],
             "recorded": z.instant(self.p["stop"]),
             "agent": [{"type": cc("http://terminology.hl7.org/CodeSystem/provenance-participant-type", "author", "Author"),
                        "who": dict(who), "onBehalfOf": dict(org)},
                       {"type": cc("http://hl7.org/fhir/us/core/CodeSystem/us-core-provenance-participant-type",
                                   "transmitter", "Transmitter"),
                        "who": dict(who), "onBehalfOf": dict(org)}]}
        self.add(r)


# ---------------------------------------------------------------------------------------
# Shared Organization / Location / Practitioner / PractitionerRole resources
# ---------------------------------------------------------------------------------------

def organization(org, v2, utilization=False):
    r = {"resourceType": "Organization", "id": org.id}
    if not v2:
        r["meta"] = {"profile": [USCORE + "us-core-organization"]}
    if utilization:
        enc, proc, labs, rx = org.util
        r["extension"] = [
            {"url": SYNTHEA_EXT + "utilization-encounters-extension", "valueInteger": enc},
            {"url": SYNTHEA_EXT + "utilization-procedures-extension", "valueInteger": proc},
            {"url": SYNTHEA_EXT + "utilization-labs-extension", "valueInteger": labs},
            {"url": SYNTHEA_EXT + "utilization-prescriptions-extension", "valueInteger": rx}]
        if v2 and org.beds is not None:
            r["extension"].append({"url": SYNTHEA_EXT + "bed-count-extension", "valueInteger": org.beds})
    r["identifier"] = [{"system": SYNTHEA_ID, "value": org.id}]
    r["active"] = True
    r["type"] = [cc("http://terminology.hl7.org/CodeSystem/organization-type", "prov", "Healthcare Provider")]
    r["name"] = org.name
    r["telecom"] = [{"system": "phone", "value": org.phone}]
    r["address"] = [{"line": [org.line], "city": org.city, "state": "MA", "postalCode": org.zip,
                     "country": "US"}]
    return r


def location(org):
    return {"resourceType": "Location", "id": org.loc_id,
            "meta": {"profile": [USCORE + "us-core-location"]},
            "identifier": [{"system": SYNTHEA_ID, "value": org.loc_id}],
            "status": "active", "name": org.name,
            "telecom": [{"system": "phone", "value": org.phone}],
            "address": {"line": [org.line], "city": org.city, "state": "MA", "postalCode": org.zip,
                        "country": "US"},
            "position": {"longitude": org.lon, "latitude": org.lat},
            "managingOrganization": {"identifier": {"system": SYNTHEA_ID, "value": org.id},
                                     "display": org.name}}


def practitioner(clin, v2, utilization=False):
    r = {"resourceType": "Practitioner", "id": clin.id}
    if not v2:
        r["meta"] = {"profile": [USCORE + "us-core-practitioner"]}
    if utilization:
        r["extension"] = [{"url": SYNTHEA_EXT + "utilization-encounters-extension",
                           "valueInteger": clin.encounters}]
    r["identifier"] = [{"system": NPI, "value": clin.npi}]
    r["active"] = True
    r["name"] = [{"family": clin.last, "given": [clin.first], "prefix": ["Dr."]}]
    email = {"system": "email", "value": f"{clin.first}.{clin.last}@example.com", "use": "work"}
    if not v2:
        email = dict({"extension": [{"url": USCORE + "us-core-direct", "valueBoolean": True}]}, **email)
    r["telecom"] = [email]
    r["address"] = [{"line": [clin.line], "city": clin.city, "state": "MA", "postalCode": clin.zip,
                     "country": "US"}]
    r["gender"] = clin.gender
    return r


def practitioner_role(clin, rid):
    email = {"extension": [{"url": USCORE + "us-core-direct", "valueBoolean": True}],
             "system": "email", "value": f"{clin.first}.{clin.last}@example.com", "use": "work"}
    gp = cc("http://nucc.org/provider-taxonomy", "208D00000X", "General Practice")
    return {"resourceType": "PractitionerRole", "id": rid,
            "meta": {"profile": [USCORE + "us-core-practitionerrole"]},
            "practitioner": {"identifier": {"system": NPI, "value": clin.npi}, "display": clin.display},
            "organization": {"identifier": {"system": SYNTHEA_ID, "value": clin.org.id},
                             "display": clin.org.name},
            "code": [gp], "specialty": [json.loads(json.dumps(gp))],
            "location": [{"identifier": {"system": SYNTHEA_ID, "value": clin.org.loc_id},
                          "display": clin.org.name}],
            "telecom": [{"system": "phone", "value": clin.org.phone}, email]}


def shared_bundles_v3(orgs, clins):
    hosp, prac = [], []
    for o in orgs:   # Location right after its Organization ("no forward reference")
        for res in (organization(o, False, utilization=True), location(o)):
            hosp.append({"fullUrl": "urn:uuid:" + res["id"], "resource": res,
                         "request": {"method": "POST", "url": res["resourceType"],
                                     "ifNoneExist": f"identifier={SYNTHEA_ID}|{res['id']}"}})
    for c in clins:
        res = practitioner(c, False, utilization=True)
        prac.append({"fullUrl": "urn:uuid:" + res["id"], "resource": res,
                     "request": {"method": "POST", "url": "Practitioner",
                                 "ifNoneExist": f"identifier={NPI}|{c.npi}"}})
        role = practitioner_role(c, name_uuid("practitionerrole", c.npi))
        # PractitionerRole has no identifier, so the exporter cannot give it ifNoneExist
        prac.append({"fullUrl": "urn:uuid:" + role["id"], "resource": role,
                     "request": {"method": "POST", "url": "PractitionerRole"}})
    return ({"resourceType": "Bundle", "type": "batch", "entry": hosp},
            {"resourceType": "Bundle", "type": "batch", "entry": prac})


def shared_bundles_v2(orgs, clins):
    hosp = [{"fullUrl": "urn:uuid:" + o.id, "resource": organization(o, True, utilization=True),
             "request": {"method": "POST", "url": "Organization"}} for o in orgs]
    prac = [{"fullUrl": "urn:uuid:" + c.id, "resource": practitioner(c, True, utilization=True),
             "request": {"method": "POST", "url": "Practitioner"}} for c in clins]
    return ({"resourceType": "Bundle", "type": "transaction", "entry": hosp},
            {"resourceType": "Bundle", "type": "transaction", "entry": prac})


# ---------------------------------------------------------------------------------------
# Codes (as Synthea's modules spell them)
# ---------------------------------------------------------------------------------------

S = lambda c, d: (SNOMED, c, d)      # noqa: E731
L = lambda c, d: (LOINC, c, d)       # noqa: E731
RX = lambda c, d: (RXNORM, c, d)     # noqa: E731
VX = lambda c, d: (CVX, c, d)        # noqa: E731

GENERAL_EXAM = S("162673000", "General examination of patient (procedure)")
CHECK_UP = S("185349003", "Encounter for check up (procedure)")
WELL_CHILD = S("410620009", "Well child visit (procedure)")
SYMPTOM = S("185345009", "Encounter for symptom (procedure)")
PROBLEM = S("185347001", "Encounter for problem (procedure)")
ER_ADMIT = S("50849002", "Emergency room admission (procedure)")
HOSP_ADMIT = S("32485007", "Hospital admission (procedure)")
PRENATAL = S("424441002", "Prenatal initial visit (regime/therapy)")
OBSTETRIC = S("183460006", "Obstetric emergency hospital admission (procedure)")
DEATH_CERT = S("308646001", "Death Certification")

FLU = VX("140", "Influenza, seasonal, injectable, preservative free")
COVID = VX("208", "SARS-COV-2 (COVID-19) vaccine, mRNA, spike protein, LNP, preservative free, 30 mcg/0.3mL dose")
TD = VX("113", "Td (adult) preservative free")
TDAP = VX("115", "Tdap")
HPV = VX("62", "HPV, quadrivalent")
MENING = VX("114", "meningococcal MCV4P")
HEPB = VX("08", "Hep B, adolescent or pediatric")
DTAP = VX("20", "DTaP")
IPV = VX("10", "IPV")
HIB = VX("49", "Hib (PRP-OMP)")
PCV13 = VX("133", "Pneumococcal conjugate PCV 13")
ZOSTER = VX("187", "zoster vaccine recombinant")

HTN = S("59621000", "Essential hypertension (disorder)")
PREDIAB = S("15777000", "Prediabetes")
DIAB = S("44054006", "Diabetes mellitus type 2 (disorder)")
SINUSITIS = S("444814009", "Viral sinusitis (disorder)")
MI = S("22298006", "Myocardial infarction (disorder)")
ANKLE = S("44465007", "Sprain of ankle")
BRONCHITIS = S("10509002", "Acute bronchitis (disorder)")
PHARYNGITIS = S("195662009", "Acute viral pharyngitis (disorder)")
PREGNANCY = S("72892002", "Normal pregnancy")
OTITIS = S("65363002", "Otitis media")
ASTHMA = S("233678006", "Childhood asthma")
MED_REVIEW = S("314529007", "Medication review due (situation)")
EMPLOYED = S("160903007", "Full-time employment (finding)")
STRESS = S("73595000", "Stress (finding)")
POLYP = S("68496003", "Polyp of colon")

NEVER_SMOKER_V3 = S("266919005", "Never smoked tobacco (finding)")
EX_SMOKER = S("8517006", "Ex-smoker (finding)")
NEVER_SMOKER_V2 = S("266919005", "Never smoker")

MED_REC = S("430193006", "Medication Reconciliation (procedure)")
ASSESS_NEEDS = S("710824005", "Assessment of health and social care needs (procedure)")
DEPRESSION_SCREEN = S("171207006", "Depression screening (procedure)")
PHQ2_SCREEN = S("715252007", "Depression screening using Patient Health Questionnaire Two-Item score (procedure)")
SUBSTANCE = S("428211000124100", "Assessment of substance use (procedure)")
RESP_FN = S("23426006", "Measurement of respiratory function (procedure)")
THROAT = S("117015009", "Throat culture (procedure)")
STENT = S("36969009", "Placement of stent in coronary artery (procedure)")
ECHO = S("40701008", "Echocardiography (procedure)")
ANKLE_XRAY = S("19490002", "Radiography of ankle (procedure)")
COLONOSCOPY = S("73761001", "Colonoscopy")
PREG_TEST = S("252160004", "Standard pregnancy test (procedure)")
INDUCTION = S("31208007", "Medical induction of labor (procedure)")
ALLERGY_SCREEN = S("395142003", "Allergy screening test (procedure)")

LISINOPRIL = RX("314076", "lisinopril 10 MG Oral Tablet")
METFORMIN = RX("860975", "24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet")
CLOPIDOGREL = RX("309362", "Clopidogrel 75 MG Oral Tablet")
NITRO = RX("705129", "Nitroglycerin 0.4 MG/ACTUAT Mucosal Spray")
NAPROXEN = RX("849574", "Naproxen sodium 220 MG Oral Tablet")
ACETAMINOPHEN = RX("313782", "Acetaminophen 325 MG Oral Tablet")
AMOX = RX("308182", "Amoxicillin 250 MG Oral Capsule")
PENICILLIN = RX("834061", "Penicillin V Potassium 250 MG Oral Tablet")
FLUTICASONE = RX("895994", "120 ACTUAT Fluticasone propionate 0.044 MG/ACTUAT Metered Dose Inhaler")
ALBUTEROL = RX("2123111", "NDA020503 200 ACTUAT Albuterol 0.09 MG/ACTUAT Metered Dose Inhaler")
OXYTOCIN = RX("1733376", "Oxytocin 10 UNT/ML Injectable Solution")

WITH_FOOD = ("311504000", "With or after food")
REGULAR = ("419115000", "Take at regular intervals. Complete the prescribed course unless otherwise directed (qualifier value)")

PHQ2_ITEMS = [(L("44250-9", "Little interest or pleasure in doing things"), L("LA6568-5", "Not at all"), None),
              (L("44255-8", "Feeling down, depressed, or hopeless"), L("LA6568-5", "Not at all"), None)]


def lipid(r, e, chol, trig, ldl, hdl):
    r.panel(e, L("57698-3", "Lipid panel with direct LDL - Serum or Plasma"), [
        (L("2093-3", "Cholesterol [Mass/volume] in Serum or Plasma"), chol, "mg/dL"),
        (L("2571-8", "Triglycerides"), trig, "mg/dL"),
        (L("18262-6", "Cholesterol in LDL [Mass/volume] in Serum or Plasma by Direct assay"), ldl, "mg/dL"),
        (L("2085-9", "Cholesterol in HDL [Mass/volume] in Serum or Plasma"), hdl, "mg/dL")])


def bmp(r, e, vals):
    names = [(L("2339-0", "Glucose [Mass/volume] in Blood"), "mg/dL"),
             (L("6299-2", "Urea nitrogen [Mass/volume] in Blood"), "mg/dL"),
             (L("38483-4", "Creatinine [Mass/volume] in Blood"), "mg/dL"),
             (L("49765-1", "Calcium [Mass/volume] in Blood"), "mg/dL"),
             (L("2947-0", "Sodium [Moles/volume] in Blood"), "mmol/L"),
             (L("6298-4", "Potassium [Moles/volume] in Blood"), "mmol/L"),
             (L("2069-3", "Chloride [Moles/volume] in Blood"), "mmol/L"),
             (L("20565-8", "Carbon dioxide, total [Moles/volume] in Blood"), "mmol/L")]
    r.panel(e, L("51990-0", "Basic metabolic panel - Blood"),
            [(c, v, u) for (c, u), v in zip(names, vals)])


def cbc(r, e, vals):
    names = [(L("6690-2", "Leukocytes [#/volume] in Blood by Automated count"), "10*3/uL"),
             (L("789-8", "Erythrocytes [#/volume] in Blood by Automated count"), "10*6/uL"),
             (L("718-7", "Hemoglobin [Mass/volume] in Blood"), "g/dL"),
             (L("4544-3", "Hematocrit [Volume Fraction] of Blood by Automated count"), "%"),
             (L("777-3", "Platelets [#/volume] in Blood by Automated count"), "10*3/uL")]
    r.panel(e, L("58410-2", "CBC panel - Blood by Automated count"),
            [(c, v, u) for (c, u), v in zip(names, vals)])


def phq2(r, e, total=0):
    r.obs(e, "survey", L("55757-9", "Patient Health Questionnaire 2 item (PHQ-2) [Reported]"),
          components=PHQ2_ITEMS)
    r.obs(e, "survey", L("55758-7", "Patient Health Questionnaire 2 item (PHQ-2) total score [Reported]"),
          total, "{score}")


# ---------------------------------------------------------------------------------------
# Synthea 3.x set
# ---------------------------------------------------------------------------------------

V3_ORGS = [
    Org("v3-pcp", "BRIGHTWATER FAMILY HEALTH ASSOCIATES", "14 HOLLIS MILL RD", "FITCHBURG", "01420",
        "9785550142", -71.79853, 42.58391, (412, 37, 0, 118)),
    Org("v3-hosp", "NORTH NASHOBA REGIONAL MEDICAL CENTER", "220 CRANBERRY HILL DR", "LEOMINSTER", "01453",
        "9785550190", -71.75312, 42.52477, (2113, 684, 1930, 845)),
    Org("v3-urgent", "WACHUSETT VALLEY URGENT CARE LLC", "3 ORCHARD PLAZA", "GARDNER", "01440",
        "9785550177", -71.99624, 42.57460, (164, 12, 0, 41)),
    Org("v3-peds", "PCP214907", "61 WINTHROP ST", "WORCESTER", "01604",
        "5085550123", -71.78266, 42.26014, (97, 4, 0, 22)),
]
O3 = {o.key: o for o in V3_ORGS}
V3_CLINS = [
    Clin("9999948315", "Rosamond611", "Pfannerstill264", "female", O3["v3-pcp"], "14 HOLLIS MILL RD", "FITCHBURG", "01420", 388),
    Clin("9999976024", "Elwood82", "Kertzmann286", "male", O3["v3-hosp"], "220 CRANBERRY HILL DR", "LEOMINSTER", "01453", 1496),
    Clin("9999990381", "Maryjo514", "Quitzon246", "female", O3["v3-hosp"], "220 CRANBERRY HILL DR", "LEOMINSTER", "01453", 611),
    Clin("9999952746", "Tyron580", "Bechtelar572", "male", O3["v3-urgent"], "3 ORCHARD PLAZA", "GARDNER", "01440", 160),
    Clin("9999963518", "Hiedi931", "Wunsch504", "female", O3["v3-peds"], "61 WINTHROP ST", "WORCESTER", "01604", 95),
]
C3 = {c.npi: c for c in V3_CLINS}
PCP3, HOSP_DR, OB_DR, URG_DR, PEDS_DR = (C3["9999948315"], C3["9999976024"], C3["9999990381"],
                                          C3["9999952746"], C3["9999963518"])

EASTERN = Zone(-5)
CLOCK3 = Clock(14, 27, 33, 583)
STOP3 = CLOCK3.at("2024-05-06")


def person_v3(pid, **kw):
    p = dict(id=pid, version="v3.0.0-62-g2b0d7f1", pop_seed="1714998453583", stop=STOP3,
             lang=("en-US", "English"), ses="middle")
    p.update(kw)
    return p


def desmond():
    """3.0 style: hypertension, prediabetes -> diabetes, MI with inpatient stay, ankle sprain."""
    z, c = EASTERN, CLOCK3
    p = person_v3("6b1d9e52-0f3a-78c4-e915-2a7c40d8b3f6", seed="3086148827390471115",
                  given=["Desmond739"], family="Halvorsen218", prefix="Mr.", gender="male",
                  birthDate="1961-03-14", birth_ms=c.at("1961-03-14"), birthsex="M",
                  race=("2106-3", "White"), ethnicity=("2186-5", "Not Hispanic or Latino"),
                  mothers_maiden="Wilhelmina412 Strand95",
                  birthplace={"city": "Worcester", "state": "Massachusetts", "country": "US"},
                  daly=2.3417825619431215, qaly=58.91187466021752, ssn="999-52-4417",
                  dl="S99987321", passport="X38291077X", phone="555-318-7240",
                  line="812 Kessler Hollow Apt 4", city="Fitchburg", zip="01420",
                  lat=42.58912738440217, lon=-71.81034412658932, marital=("M", "M"),
                  hpi="non-hispanic white male. Patient has a history of essential hypertension (disorder)",
                  social="Patient is married. Patient is an active smoker and is an alcoholic.")
    r = Record("v3", z, 73901, p, O3["v3-pcp"])
    pcp, hosp, urg = O3["v3-pcp"], O3["v3-hosp"], O3["v3-urgent"]

    e = r.encounter("wellness", c.at("2015-05-12"), 15, GENERAL_EXAM, pcp, PCP3, payer="Blue Cross Blue Shield")
    r.condition(e, HTN)
    r.condition(e, EMPLOYED, stop=c.at("2017-05-16"))
    r.vitals(e, h=181.6, pain=1, w=94.5, bmi=28.654, bp=(142, 91), hr=76, rr=14)
    r.smoking(e, EX_SMOKER)
    lipid(r, e, 207.4, 148.83, 131.72, 45.9)
    r.procedure(e, MED_REC, 516.65)
    r.medication(e, LISINOPRIL, reason=HTN, cost=36.48,
                 dosage=dict(frequency=1, period=1, unit="d", amount=1))
    r.immunization(e, FLU)
    r.careplan(e, S("443402002", "Lifestyle education regarding hypertension (procedure)"),
               [S("386463000", "Prescribed activity/exercise education (procedure)"),
                S("413473000", "Counseling about alcohol consumption (procedure)"),
                S("1151000175103", "Dietary approaches to stop hypertension diet (regime/therapy)"),
                S("225323000", "Smoking cessation education (procedure)")],
               reason=HTN, goals=["Systolic Blood Pressure < 140"])

    e = r.encounter("ambulatory", c.at("2016-02-03"), 15, SYMPTOM, pcp, PCP3, reason=SINUSITIS,
                    payer="Blue Cross Blue Shield", cost=85.55)
    e.complaint = "- Nasal congestion\n- Sinus pain"
    r.condition(e, SINUSITIS, stop=c.at("2016-02-17"))

    e = r.encounter("wellness", c.at("2017-05-16"), 15, GENERAL_EXAM, pcp, PCP3, payer="Blue Cross Blue Shield")
    r.condition(e, PREDIAB)
    r.condition(e, STRESS, stop=c.at("2018-05-22"))
    r.vitals(e, h=181.6, pain=2, w=97.1, bmi=29.442, bp=(128, 84), hr=70, rr=16)
    r.smoking(e, EX_SMOKER)
    bmp(r, e, [99.35, 16.87, 1.1, 9.4, 139.02, 4.51, 104.66, 25.68])
    phq2(r, e, 0)
    r.procedure(e, PHQ2_SCREEN, 431.40)
    r.immunization(e, FLU)

    e = r.encounter("emergency", c.at("2018-09-08"), 60, ER_ADMIT, hosp, HOSP_DR, reason=MI,
                    payer="Blue Cross Blue Shield", cost=146.18)
    e.complaint = "- Chest pain\n- Shortness of breath"
    r.condition(e, MI)
    r.vitals(e, bp=(158, 97), hr=112, rr=22, spo2=93.1, temp=37.1)
    r.panel(e, L("89577-1", "Troponin I.cardiac panel - Serum or Plasma by High sensitivity method"), [
        (L("89579-7", "Troponin I.cardiac [Mass/volume] in Serum or Plasma by High sensitivity method"), 512.3, "ng/L")])
    r.procedure(e, S("268400002", "12 lead electrocardiogram (procedure)"), 1255.28, minutes=15)

    e = r.encounter("inpatient", c.at("2018-09-08", 60), 3 * 1440, HOSP_ADMIT, hosp, HOSP_DR, reason=MI,
                    discharge=("01", "Discharged to home or self care (routine discharge)"),
                    payer="Blue Cross Blue Shield", cost=1321.42)
    e.complaint = "- Chest pain"
    r.procedure(e, STENT, 27913.06, minutes=90, reason=MI)
    r.procedure(e, ECHO, 2211.83, minutes=30, reason=MI, start=c.at("2018-09-09", 60))
    r.device(e, S("705643001", "Coronary artery stent (physical object)"), "27014452610294",
             "628391", "7703942183", c.at("2018-06-18"), c.at("2043-07-01"),
             manufacturer="Medtronic", model="RSINT30012X")
    r.medication(e, CLOPIDOGREL, reason=MI, administered=True, cost=19.62,
                 dosage=dict(frequency=1, period=1, unit="d", amount=1, instructions=[WITH_FOOD]))
    r.medication(e, NITRO, reason=MI, cost=171.09, dosage=dict(as_needed=True))
    r.careplan(e, S("735985000", "Cardiac rehabilitation"),
               [S("229065009", "Exercise therapy (regime/therapy)"),
                S("226234005", "Healthy diet (regime/therapy)")],
               reason=MI, stop=c.at("2018-12-01"))

    e = r.encounter("wellness", c.at("2019-06-20"), 30, GENERAL_EXAM, pcp, PCP3, payer="Medicare")
    r.condition(e, DIAB)
    r.condition(e, MED_REVIEW, stop=c.at("2020-06-25"))
    r.vitals(e, h=181.6, pain=0, w=99.8, bmi=30.262, bp=(131, 82), hr=68, rr=15)
    r.smoking(e, EX_SMOKER)
    r.panel(e, L("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood"), [
        (L("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood"), 6.86, "%")])
    r.medication(e, METFORMIN, reason=DIAB, cost=265.34,
                 dosage=dict(frequency=1, period=1, unit="d", amount=1, instructions=[WITH_FOOD]))
    r.supply(e, S("337388004", "Blood glucose testing strips (physical object)"), 50)
    r.careplan(e, S("698360004", "Diabetes self management plan"),
               [S("160670007", "Diabetic diet (finding)"), S("229065009", "Exercise therapy (regime/therapy)")],
               reason=DIAB, goals=["Glucose [Mass/volume] in Blood < 108",
                                   "Maintain blood pressure below 140/90 mm[Hg]",
                                   "Address patient knowledge deficit on diabetic self-care"])
    r.immunization(e, ZOSTER, cost=240.17)

    e = r.encounter("urgentcare", c.at("2020-11-02"), 45, PROBLEM, urg, URG_DR, reason=ANKLE, payer="Medicare",
                    cost=112.91)
    e.complaint = "- Ankle pain\n- Swelling"
    r.condition(e, ANKLE, stop=c.at("2020-12-14"))
    r.procedure(e, ANKLE_XRAY, 284.39, minutes=20, reason=ANKLE)
    r.medication(e, NAPROXEN, stop=c.at("2020-11-23"), reason=ANKLE, cost=8.11, dosage=dict(as_needed=True))
    r.careplan(e, S("91251008", "Physical therapy procedure (regime/therapy)"),
               [S("229586001", "Rest, ice, compression and elevation treatment programme (regime/therapy)"),
                S("229070002", "Stretching exercises (regime/therapy)")],
               reason=ANKLE, stop=c.at("2020-12-14"))
    r.imaging(e, S("19490002", "Radiography of ankle (procedure)"), "1.2.840.99999999.38452716.1604327253583", [
        {"uid": "1.2.840.99999999.1.70248519.1604327253583", "modality": ("DX", "Digital Radiography"),
         "body": ("70258002", "Ankle joint structure (body structure)"),
         "instances": [("1.2.840.99999999.1.1.26571043.1604327253583", "1.2.840.10008.5.1.4.1.1.1.1",
                        "Image of ankle")]}])

    e = r.encounter("wellness", c.at("2023-07-11"), 15, GENERAL_EXAM, pcp, PCP3, payer="Medicare")
    r.vitals(e, h=181.6, pain=0, w=97.6, bmi=29.595, bp=(124, 79), hr=66, rr=13)
    r.smoking(e, EX_SMOKER)
    phq2(r, e, 1)
    r.procedure(e, PHQ2_SCREEN, 431.40)
    r.immunization(e, COVID, cost=136.0)
    r.immunization(e, FLU)
    return p, r.build()


def ilse():
    """3.0 style: allergies (all 'food' before 3.1), pregnancy and delivery, bronchitis."""
    z, c = EASTERN, CLOCK3
    p = person_v3("c84f2a07-19b5-e3d6-4a70-85e1f9c3b214", seed="-5528019734462018862",
                  given=["Ilse846"], family="Marchetti502", prefix="Mrs.", maiden="Brandvold93",
                  gender="female", birthDate="1988-10-02", birth_ms=c.at("1988-10-02"), birthsex="F",
                  race=("2106-3", "White"), ethnicity=("2135-2", "Hispanic or Latino"),
                  mothers_maiden="Paulette71 Brandvold93",
                  birthplace={"city": "Ponce", "state": "Puerto Rico", "country": "PR"},
                  daly=0.9114472603082178, qaly=33.78120455931466, ssn="999-71-3058",
                  dl="S99935214", passport="X60431992X", phone="555-743-1906",
                  line="47 Tillman Ferry", city="Leominster", zip=None,
                  lat=42.50731629917245, lon=-71.76884102215391, marital=("M", "M"),
                  lang=("es", "Spanish"),
                  hpi="hispanic white female. Patient has a history of acute bronchitis (disorder)",
                  social="Patient is married. Patient has never smoked.")
    r = Record("v3", z, 84602, p, O3["v3-pcp"])
    pcp, hosp, urg = O3["v3-pcp"], O3["v3-hosp"], O3["v3-urgent"]

    e = r.encounter("ambulatory", c.at("2012-04-17"), 30, PROBLEM, pcp, PCP3, payer="UnitedHealthcare",
                    cost=85.55)
    e.complaint = "- Itchy eyes\n- Sneezing"
    r.allergy(e, S("300916003", "Latex allergy"))
    r.allergy(e, S("419474003", "Allergy to mould"))
    r.procedure(e, ALLERGY_SCREEN, 68.15)
    r.careplan(e, S("384758001", "Self-care interventions (procedure)"),
               [S("58332002", "Allergy education (procedure)")])

    e = r.encounter("wellness", c.at("2014-10-07"), 15, GENERAL_EXAM, pcp, PCP3, payer="UnitedHealthcare")
    r.vitals(e, h=164.2, pain=0, w=61.3, bmi=22.736, bp=(112, 74), hr=64, rr=13)
    r.smoking(e, NEVER_SMOKER_V3)
    cbc(r, e, [6.61, 4.52, 13.4, 39.74, 261.88])
    r.immunization(e, FLU)
    r.immunization(e, TDAP)

    e = r.encounter("ambulatory", c.at("2016-03-15"), 30, PRENATAL, pcp, PCP3, reason=PREGNANCY,
                    payer="UnitedHealthcare", cost=143.97)
    r.condition(e, PREGNANCY, stop=c.at("2016-11-22"))
    r.vitals(e, w=63.7, bp=(110, 71), hr=72, rr=14)
    r.procedure(e, PREG_TEST, 157.24)
    r.procedure(e, S("274804006", "Evaluation of uterine fundal height (procedure)"), 87.43)
    r.careplan(e, S("134435003", "Routine antenatal care (regime/therapy)"),
               [S("135892000", "Antenatal education (procedure)"),
                S("713076009", "Antenatal RhD antibody screening (procedure)")],
               reason=PREGNANCY, stop=c.at("2016-11-22"))

    e = r.encounter("inpatient", c.at("2016-11-21"), 2 * 1440, OBSTETRIC, hosp, OB_DR, reason=PREGNANCY,
                    discharge=("01", "Discharged to home or self care (routine discharge)"),
                    payer="UnitedHealthcare", cost=2483.32)
    e.complaint = "- Contractions"
    r.procedure(e, INDUCTION, 3102.73, minutes=240, reason=PREGNANCY)
    r.procedure(e, S("18946005", "Epidural anesthesia (procedure)"), 1245.39, minutes=60, reason=PREGNANCY)
    r.medication(e, OXYTOCIN, reason=PREGNANCY, administered=True, stop=c.at("2016-11-22"), cost=43.7,
                 dosage=dict(frequency=1, period=1, unit="h", amount=2))

    e = r.encounter("urgentcare", c.at("2019-01-29"), 30, SYMPTOM, urg, URG_DR, reason=BRONCHITIS,
                    payer="UnitedHealthcare", cost=112.91)
    e.complaint = "- Cough\n- Fever"
    r.condition(e, BRONCHITIS, stop=c.at("2019-02-12"))
    r.vitals(e, temp=38.2, hr=88, rr=18)
    r.procedure(e, RESP_FN, 531.57, reason=BRONCHITIS)
    r.medication(e, ACETAMINOPHEN, stop=c.at("2019-02-12"), reason=BRONCHITIS, cost=6.37,
                 dosage=dict(frequency=4, period=1, unit="d", amount=2,
                             instructions=[REGULAR]))
    r.careplan(e, S("53950000", "Respiratory therapy (procedure)"),
               [S("304510005", "Recommendation to avoid exercise (procedure)"),
                S("371605008", "Deep breathing and coughing exercises (procedure)")],
               reason=BRONCHITIS, stop=c.at("2019-02-12"))

    e = r.encounter("wellness", c.at("2021-10-12"), 15, GENERAL_EXAM, pcp, PCP3, payer="NO_INSURANCE")
    r.vitals(e, h=164.2, pain=0, w=66.1, bmi=24.516, bp=(117, 76), hr=69, rr=15)
    r.smoking(e, NEVER_SMOKER_V3)
    phq2(r, e, 0)
    r.procedure(e, PHQ2_SCREEN, 431.40)
    r.immunization(e, COVID, cost=136.0)
    r.immunization(e, FLU)

    e = r.encounter("wellness", c.at("2023-10-17"), 15, GENERAL_EXAM, pcp, PCP3, payer="UnitedHealthcare")
    r.vitals(e, h=164.2, pain=1, w=65.4, bmi=24.256, bp=(115, 73), hr=67, rr=14)
    r.smoking(e, NEVER_SMOKER_V3)
    cbc(r, e, [7.02, 4.61, 13.9, 41.2, 248.03])
    r.immunization(e, FLU)
    return p, r.build()


def tobias():
    """3.2/3.3 style: a twin, well-child care, otitis, peanut allergy with reactions, asthma, Media."""
    z, c = EASTERN, CLOCK3
    p = person_v3("1f7e33c9-a64b-0d58-92ce-7bb5e0612d4a", seed="912374015538810044",
                  version="v3.3.0-27-g5c81e0a",
                  given=["Tobias310"], family="Wrenfield88", prefix=None, gender="male",
                  birthDate="2017-08-19", birth_ms=c.at("2017-08-19"), birthsex="M",
                  race=("2054-5", "Black or African American"), ethnicity=("2186-5", "Not Hispanic or Latino"),
                  mothers_maiden="Danae413 Okonkwo90",
                  birthplace={"city": "Worcester", "state": "Massachusetts", "country": "US"},
                  daly=0.0, qaly=6.0, ssn="999-28-6651", phone="555-902-4417",
                  line="1093 Ruecker Park", city="Worcester", zip="01604",
                  lat=42.26377004163817, lon=-71.79158620114276, marital=("S", "Never Married"),
                  multipleBirthInteger=2,
                  hpi="non-hispanic black male. Patient has a history of childhood asthma",
                  social="Patient has never smoked.")
    r = Record("v3late", z, 31007, p, O3["v3-peds"])
    peds, urg = O3["v3-peds"], O3["v3-urgent"]

    e = r.encounter("wellness", c.at("2017-08-19"), 15, WELL_CHILD, peds, PEDS_DR, payer="Medicaid")
    r.vitals(e, h=50.6, pain=0, w=3.4, head=34.8, head_pct=52.3, wfl=48.9, hr=142, rr=44)
    r.immunization(e, HEPB)

    e = r.encounter("wellness", c.at("2017-10-21"), 15, WELL_CHILD, peds, PEDS_DR, payer="Medicaid")
    r.vitals(e, h=58.1, pain=0, w=5.6, head=39.3, head_pct=55.1, wfl=46.2, hr=138, rr=40)
    for v in (HEPB, DTAP, IPV, HIB, PCV13):
        r.immunization(e, v)

    e = r.encounter("ambulatory", c.at("2019-03-04"), 15, SYMPTOM, peds, PEDS_DR, reason=OTITIS,
                    payer="Medicaid", cost=85.55)
    e.complaint = "- Ear pain"
    r.condition(e, OTITIS, stop=c.at("2019-03-18"))
    r.vitals(e, temp=38.4, hr=118, rr=28)
    r.medication(e, AMOX, stop=c.at("2019-03-14"), reason=OTITIS, administered=True, cost=11.34,
                 refills=0, dosage=dict(frequency=3, period=1, unit="d", amount=1, instructions=[REGULAR]))

    e = r.encounter("wellness", c.at("2020-08-23"), 15, WELL_CHILD, peds, PEDS_DR, payer="Medicaid")
    r.allergy(e, S("762952008", "Peanut (substance)"), category="food",
              reactions=[("247472004", "Wheal (finding)", "moderate"),
                         ("878820003", "Rhinoconjunctivitis (disorder)", "mild")])
    r.allergy(e, S("256277009", "Grass pollen (substance)"), category="environment",
              reactions=[("267101005", "Sneezing (finding)", None)])
    r.vitals(e, h=103.9, pain=0, w=17.2, bmi=15.934, bmi_pct=61.7, bp=(98, 61), hr=96, rr=22)
    r.obs(e, "exam", L("72170-4", "Photographic image"), value={
        "height": 200, "width": 200,
        "attachment": {"contentType": "image/png",
                       "data": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
                       "title": "Skin prick test, forearm"}})
    r.procedure(e, ALLERGY_SCREEN, 68.15)
    r.immunization(e, FLU)

    e = r.encounter("urgentcare", c.at("2022-05-10"), 60, SYMPTOM, urg, URG_DR, reason=ASTHMA,
                    payer="Medicaid", cost=112.91)
    e.complaint = "- Wheezing\n- Shortness of breath"
    r.condition(e, ASTHMA)
    r.vitals(e, hr=121, rr=32, spo2=92.4)
    r.obs(e, "exam", L("19935-6", "Maximum expiratory gas flow Respiratory system airway by Peak flow meter"),
          142.5, "L/min")
    r.medication(e, FLUTICASONE, reason=ASTHMA, cost=142.68,
                 dosage=dict(frequency=2, period=1, unit="d", amount=1))
    r.medication(e, ALBUTEROL, reason=ASTHMA, cost=39.53, dosage=dict(as_needed=True))
    r.careplan(e, S("699728000", "Asthma self management"),
               [S("710081004", "Smoking cessation therapy (procedure)"),
                S("708409001", "Home nebulizer therapy (procedure)")],
               reason=ASTHMA, goals=["Asthma control: less than 2 rescue inhaler uses per week"])

    e = r.encounter("wellness", c.at("2023-09-02"), 15, WELL_CHILD, peds, PEDS_DR, payer="Medicaid")
    r.vitals(e, h=127.4, pain=0, w=25.9, bmi=15.957, bmi_pct=47.2, bp=(101, 64), hr=88, rr=20)
    r.obs(e, "survey", L("71802-3", "Housing status"), L("LA30190-5", "I have housing"))
    r.immunization(e, FLU)
    return p, r.build()


# ---------------------------------------------------------------------------------------
# Synthea 2.x set
# ---------------------------------------------------------------------------------------

V2_ORGS = [
    Org("v2-pcp", "CHICOPEE FALLS PRIMARY CARE PC", "402 GRATTAN ST", "CHICOPEE", "01020",
        "4135550166", -72.5743, 42.1602, (318, 22, 0, 96)),
    Org("v2-hosp", "MERCY RIVER VALLEY HOSPITAL", "1700 SUMNER AVE", "SPRINGFIELD", "01109",
        "4135550100", -72.5387, 42.1034, (1872, 533, 1447, 610), beds=214),
    Org("v2-pcp2", "PCP66103", "88 ELM ST", "WESTFIELD", "01085",
        "4135550131", -72.7519, 42.1195, (141, 9, 0, 37)),
]
O2 = {o.key: o for o in V2_ORGS}
V2_CLINS = [
    Clin("9999991702", "Corrinne457", "Hegmann926", "female", O2["v2-pcp"], "402 GRATTAN ST", "CHICOPEE", "01020", 301),
    Clin("9999969314", "Wendell83", "Schowalter414", "male", O2["v2-hosp"], "1700 SUMNER AVE", "SPRINGFIELD", "01109", 917),
    Clin("9999985527", "Lavonna371", "Goyette777", "female", O2["v2-pcp2"], "88 ELM ST", "WESTFIELD", "01085", 139),
]
C2 = {c.npi: c for c in V2_CLINS}
PCP2, HOSP2_DR, PCP2B = C2["9999991702"], C2["9999969314"], C2["9999985527"]

CENTRAL = Zone(-6)
CLOCK2 = Clock(20, 14, 51, 187)
STOP2 = CLOCK2.at("2020-03-04")


def person_v2(pid, **kw):
    p = dict(id=pid, version="v2.5.0-331-g0f8a3e7", pop_seed="1583352891187", stop=STOP2,
             lang=("en-US", "English"), ses="middle")
    p.update(kw)
    return p


def harlan():
    """2.x: hypertension, colon polyp, ankle X-ray, MI with implanted defibrillator, death."""
    z, c = CENTRAL, CLOCK2
    p = person_v2("7d2a6f4e-95b1-4c08-a3e2-0c9b5d71f836", seed="6642019837712305541",
                  given=["Harlan572"], family="Ostrowski413", prefix="Mr.", gender="male",
                  birthDate="1954-11-30", birth_ms=c.at("1954-11-30"), birthsex="M",
                  race=("2106-3", "White"), ethnicity=("2186-5", "Not Hispanic or Latino"),
                  mothers_maiden="Genevieve58 Pollich12",
                  birthplace={"city": "Holyoke", "state": "Massachusetts", "country": "US"},
                  daly=14.827709135221302, qaly=49.00716418332295, ssn="999-34-8120",
                  dl="S99940681", passport="X84125530X", phone="555-620-1873",
                  line="566 Lubowitz Crossroad", city="Chicopee", zip="01013",
                  lat=42.17504321118907, lon=-72.60093884126721, marital=("D", "D"),
                  deceased=c.at("2019-12-14"),
                  hpi="non-hispanic white male", social="Patient is divorced.")
    r = Record("v2", z, 55102, p, O2["v2-pcp"])
    pcp, hosp = O2["v2-pcp"], O2["v2-hosp"]

    e = r.encounter("wellness", c.at("2010-06-22"), 15, GENERAL_EXAM, pcp, PCP2, payer="Humana")
    r.condition(e, HTN)
    r.vitals(e, h=180.0, pain=3, w=92.1, bmi=28.4, bp=(140, 90), hr=80, rr=16)
    r.smoking(e, NEVER_SMOKER_V2)
    lipid(r, e, 210.0, 150.0, 130.4, 50.0)
    r.medication(e, LISINOPRIL, reason=HTN, cost=36.48, dosage=dict(frequency=1, period=1, unit="d", amount=1))
    r.immunization(e, FLU)
    r.careplan(e, S("443402002", "Lifestyle education regarding hypertension (procedure)"),
               [S("386463000", "Prescribed activity/exercise education (procedure)"),
                S("413473000", "Counseling about alcohol consumption (procedure)")],
               reason=HTN, goals=["Systolic Blood Pressure < 140"])

    e = r.encounter("ambulatory", c.at("2013-09-03"), 60, PROBLEM, pcp, PCP2, reason=POLYP,
                    payer="Humana", cost=85.55)
    r.condition(e, POLYP)
    r.procedure(e, COLONOSCOPY, 10233.6, minutes=45)
    r.procedure(e, S("274031008", "Rectal polypectomy (procedure)"), 1820.0, minutes=20, reason=POLYP)

    e = r.encounter("ambulatory", c.at("2015-02-10"), 30, PROBLEM, pcp, PCP2, reason=ANKLE,
                    payer="Medicare", cost=85.55)
    r.condition(e, ANKLE, stop=c.at("2015-03-24"))
    r.medication(e, NAPROXEN, stop=c.at("2015-03-03"), reason=ANKLE, cost=8.11, dosage=dict(as_needed=True))
    r.careplan(e, S("91251008", "Physical therapy procedure (regime/therapy)"),
               [S("229586001", "Rest, ice, compression and elevation treatment programme (regime/therapy)")],
               reason=ANKLE, stop=c.at("2015-03-24"))
    r.imaging(e, S("19490002", "Radiography of ankle (procedure)"), "1.2.840.99999999.84021573.1423599291187", [
        {"uid": "1.2.840.99999999.1.33160284.1423599291187", "modality": ("DX", "Digital Radiography"),
         "body": ("70258002", "Ankle joint structure (body structure)"),
         "instances": [("1.2.840.99999999.1.1.90471236.1423599291187", "1.2.840.10008.5.1.4.1.1.1.1",
                        "Image of ankle")]}])

    e = r.encounter("emergency", c.at("2016-07-19"), 60, ER_ADMIT, hosp, HOSP2_DR, reason=MI,
                    payer="Medicare", cost=146.18)
    r.condition(e, MI)
    r.vitals(e, bp=(160, 100), hr=120, rr=20, temp=37.0)
    r.procedure(e, S("268400002", "12 lead electrocardiogram (procedure)"), 1255.28, minutes=15)

    e = r.encounter("inpatient", c.at("2016-07-19", 60), 4 * 1440, HOSP_ADMIT, hosp, HOSP2_DR, reason=MI,
                    discharge=("01", "Discharged to home or self care (routine discharge)"),
                    payer="Medicare", cost=1321.42)
    r.procedure(e, S("233169007", "Insertion of implantable cardioverter defibrillator (procedure)"), 34118.3,
                minutes=120, reason=MI)
    r.device(e, S("72506001", "Implantable defibrillator, device (physical object)"), "00643169519318",
             "290457", "3681245", c.at("2016-02-02"), c.at("2041-02-16"))
    r.medication(e, CLOPIDOGREL, reason=MI, administered=True, cost=19.62,
                 dosage=dict(frequency=1, period=1, unit="d", amount=1, instructions=[WITH_FOOD]))
    bmp(r, e, [110.0, 20.0, 1.3, 9.0, 140.0, 4.0, 100.0, 28.0])

    e = r.encounter("wellness", c.at("2019-06-25"), 15, GENERAL_EXAM, pcp, PCP2, payer="Medicare")
    r.vitals(e, h=180.0, pain=2, w=90.0, bmi=27.8, bp=(130, 80), hr=70, rr=12)
    r.smoking(e, NEVER_SMOKER_V2)
    r.immunization(e, FLU)
    r.immunization(e, TD)

    e = r.encounter("ambulatory", c.at("2019-12-14"), 15, DEATH_CERT, pcp, PCP2, payer="Medicare", cost=0.0)
    cause = r.obs(e, "exam", L("69453-9", "Cause of Death [US Standard Certificate of Death]"), MI)
    e.reports.append(Item(code=L("69409-1", "U.S. standard certificate of death - 2003 revision"),
                          observations=[cause], start=e.start))
    return p, r.build()


def mireille():
    """2.x: hispanic race ('detailed' only), adolescent vaccines, pharyngitis, peanut allergy."""
    z, c = CENTRAL, CLOCK2
    p = person_v2("e39c18d5-4b7a-4f26-8d05-6a1f2b9e7c43", seed="-227351904866127305",
                  given=["Mireille904"], family="Castellano17", prefix="Ms.", gender="female",
                  birthDate="1996-04-07", birth_ms=c.at("1996-04-07"), birthsex="F",
                  race=("detailed", "2131-1", "Other Races", "Other"),
                  ethnicity=("2135-2", "Hispanic or Latino"),
                  mothers_maiden="Esperanza16 Villalobos502",
                  birthplace={"city": "Springfield", "state": "Massachusetts", "country": "US"},
                  daly=0.07835616438356164, qaly=23.65479452054794, ssn="999-86-2259",
                  dl="S99917343", phone="555-248-6610",
                  line="270 Hauck Brook Unit 9", city="Westfield", zip="01085",
                  lat=42.12841177283003, lon=-72.74106932716652, marital=("S", "Never Married"),
                  lang=("es", "Spanish"), hpi="hispanic female", social="Patient has never smoked.")
    r = Record("v2", z, 66213, p, O2["v2-pcp2"])
    pcp = O2["v2-pcp2"]

    e = r.encounter("wellness", c.at("2012-04-10"), 15, GENERAL_EXAM, pcp, PCP2B, payer="Medicaid")
    r.vitals(e, h=158.0, pain=0, w=50.3, bmi=20.149, bp=(104, 70), hr=70, rr=16)
    r.immunization(e, HPV)
    r.immunization(e, TDAP)
    r.immunization(e, MENING)

    e = r.encounter("ambulatory", c.at("2014-11-18"), 15, SYMPTOM, pcp, PCP2B, reason=PHARYNGITIS,
                    payer="Medicaid", cost=85.55)
    r.condition(e, PHARYNGITIS, stop=c.at("2014-11-28"))
    r.vitals(e, temp=38.0, hr=90)
    r.procedure(e, THROAT, 2196.97)
    r.medication(e, PENICILLIN, stop=c.at("2014-11-28"), reason=PHARYNGITIS, cost=4.51,
                 dosage=dict(frequency=2, period=1, unit="d", amount=1, instructions=[REGULAR]))

    e = r.encounter("wellness", c.at("2016-04-12"), 15, GENERAL_EXAM, pcp, PCP2B, payer="Medicaid")
    r.vitals(e, h=160.0, pain=0, w=55.0, bmi=21.484, bp=(110, 70), hr=60, rr=14)
    r.smoking(e, NEVER_SMOKER_V2)
    cbc(r, e, [7.0, 4.6, 13.0, 40.0, 250.0])
    r.immunization(e, FLU)

    e = r.encounter("ambulatory", c.at("2017-09-26"), 30, PROBLEM, pcp, PCP2B, payer="Medicaid", cost=85.55)
    r.allergy(e, S("91935009", "Allergy to peanuts"))
    r.procedure(e, ALLERGY_SCREEN, 68.15)
    r.careplan(e, S("384758001", "Self-care interventions (procedure)"),
               [S("58332002", "Allergy education (procedure)"),
                S("410942007", "Drug or medication (substance)")])

    e = r.encounter("wellness", c.at("2019-04-16"), 15, GENERAL_EXAM, pcp, PCP2B, payer="Blue Cross Blue Shield")
    r.vitals(e, h=160.0, pain=1, w=57.7, bmi=22.539, bp=(120, 80), hr=68, rr=15)
    r.smoking(e, NEVER_SMOKER_V2)
    phq2(r, e, 0)
    r.procedure(e, DEPRESSION_SCREEN, 431.4)
    r.procedure(e, SUBSTANCE, 431.4)
    r.immunization(e, FLU)
    return p, r.build()


# ---------------------------------------------------------------------------------------

def file_name(p):
    return f"{p['given'][0]}_{p['family']}_{p['id']}.json"


def main():
    for folder, patients, shared, stop in (
            ("v3", (desmond, ilse, tobias), shared_bundles_v3(V3_ORGS, V3_CLINS), STOP3),
            ("v2", (harlan, mireille), shared_bundles_v2(V2_ORGS, V2_CLINS), STOP2)):
        out = os.path.join(HERE, folder)
        os.makedirs(out, exist_ok=True)
        for f in os.listdir(out):
            if f.endswith(".json"):
                os.remove(os.path.join(out, f))
        hosp, prac = shared
        write_json(os.path.join(out, f"hospitalInformation{stop}.json"), hosp)
        write_json(os.path.join(out, f"practitionerInformation{stop}.json"), prac)
        for fn in patients:
            p, bundle = fn()
            write_json(os.path.join(out, file_name(p)), bundle)
            print(f"{folder}/{file_name(p)}: {len(bundle['entry'])} entries")


if __name__ == "__main__":
    main()
