"""Words of the generated forms, in the message catalogs: field labels, choices, errors.

The payload models name their fields in English snake case; staff read these labels
instead (Romanian in ``translations/ro``). Validation messages come from
:mod:`docgen.domain.validation` as codes with parameters; their English templates are
marked here for the catalog and :mod:`docgen.web.ui.messages` fills them in.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

LABELS = {
    "academic_year": _l("Academic year"), "action": _l("Action"), "activity": _l("Activity"),
    "actual": _l("Real period"), "address": _l("Address"),
    "automatic_recognition": _l("Automatic recognition"), "bank": _l("Bank account"),
    "bic": _l("BIC"), "birth_date": _l("Date of birth"), "call": _l("Call"),
    "cefr": _l("Language level (CEFR)"), "changes": _l("Changes"), "city": _l("City"),
    "cnp": _l("Personal numeric code (CNP)"), "code": _l("Code"),
    "committee": _l("Committee"), "component": _l("Component"), "contact": _l("Contact person"),
    "country": _l("Country (ISO code)"), "currency": _l("Currency"), "date": _l("Date"),
    "department": _l("Department"), "department_director": _l("Head of department"),
    "destination": _l("Destination"), "direction": _l("Direction"),
    "earlier_months": _l("Months of earlier mobilities"), "ects": _l("ECTS credits"),
    "email": _l("E-mail"), "end": _l("End"), "eqf": _l("EQF level"),
    "erasmus_code": _l("Erasmus code"), "exceptional_approval": _l("Exceptional approval"),
    "faculty": _l("Faculty"), "family_name": _l("Family name"),
    "fewer_opportunities": _l("Fewer opportunities"),
    "field_of_education": _l("Field of education"), "gender": _l("Gender"),
    "given_names": _l("Given names"), "green_travel": _l("Green travel"),
    "holder": _l("Account holder"), "host": _l("Host institution"),
    "host_country": _l("Host country"), "iban": _l("IBAN"),
    "id_document": _l("Identity document"),
    "insurance_by_participant": _l("Insurance taken by the participant"),
    "isced": _l("ISCED code"), "issued_on": _l("Issued on"), "issuer": _l("Issuing institution"),
    "language": _l("Language"), "lat": _l("Latitude"),
    "legal_representative": _l("Legal representative"), "lon": _l("Longitude"),
    "meeting_date": _l("Meeting date"), "mobility": _l("Mobility"), "name": _l("Name"),
    "name_en": _l("Name in English"), "name_ro": _l("Name in Romanian"),
    "nationality": _l("Nationality (ISO code)"), "note": _l("Note"), "number": _l("Number"),
    "ols": _l("Online Language Support"), "origin": _l("Origin"),
    "participant": _l("Participant"), "place": _l("Place"), "position": _l("Position"),
    "prefinancing_percent": _l("Pre-financing (%)"), "project_code": _l("Project code"),
    "rate_table": _l("Rate table"), "reason": _l("Reason"),
    "receiving": _l("Receiving institution"),
    "receiving_responsible": _l("Responsible person at the receiving institution"),
    "proposed": _l("Proposed, not yet approved"),
    "name_native": _l("Name in the institution's language"),
    "contacts": _l("Contacts"), "academic_years": _l("Academic years"),
    "conditions": _l("Conditions"), "timestamp": _l("Signed at (date and time)"),
    "reference": _l("Reference"), "role": _l("Role"), "schac": _l("SCHAC code"),
    "selection": _l("Selection (ranking input)"), "semester": _l("Semester"),
    "sending": _l("Sending institution"),
    "sending_responsible": _l("Responsible person at the sending institution"),
    "signed_on": _l("Signed on"), "signer": _l("Signatory"),
    "staff_category": _l("Staff category"), "start": _l("Start"), "student": _l("Student"),
    "student_signature": _l("Student's signature date"),
    "study_programme": _l("Study programme"), "table": _l("Table"),
    "table_a": _l("Table A: study programme abroad"),
    "table_b": _l("Table B: recognition at home"),
    "table_c": _l("Table C: virtual components"), "teaching_hours": _l("Teaching hours"),
    "title": _l("Title"), "travel_days": _l("Travel days"), "university": _l("University"),
    "virtual": _l("Virtual period"), "visiting_type": _l("Visiting type"),
    # The registry's agreements and contacts (their pages' forms).
    "agreement": _l("Agreement"), "type": _l("Type"), "status": _l("Status"),
    "in_effect": _l("In effect (signed)"), "iia_id": _l("Our EWP agreement id"),
    "partner_iia_id": _l("The partner's EWP agreement id"),
    "partner_iia_code": _l("The partner's agreement code"), "source": _l("Source"),
    "notes": _l("Notes"), "mobility_type": _l("Mobility type"),
    "subject_areas": _l("Fields of education (ISCED-F)"),
    "mobilities": _l("Number of mobilities"), "total_months": _l("Months in total"),
    "total_days": _l("Days in total"), "days_per_mobility": _l("Funded days per place"),
    "teaching_days": _l("Teaching or training days in total"),
    "transport_days": _l("Travel days in total"), "languages": _l("Languages"),
    "level": _l("Level (CEFR)"), "blended": _l("Blended mobility"),
    "coordinators": _l("Coordinators"), "phone": _l("Phone"),
}

ENUMS = {
    ("gender", "F"): _l("female"), ("gender", "M"): _l("male"),
    ("gender", "U"): _l("undisclosed"),
    ("direction", "incoming"): _l("incoming"), ("direction", "outgoing"): _l("outgoing"),
    ("visiting_type", "professor"): _l("professor"),
    ("visiting_type", "researcher"): _l("researcher"),
    ("role", "president"): _l("president"), ("role", "member"): _l("member"),
    ("role", "secretary"): _l("secretary"), ("role", "observer"): _l("observer"),
    ("action", "deleted"): _l("deleted"), ("action", "added"): _l("added"),
    ("reason", "not_available"): _l("component not available"),
    ("reason", "language_mismatch"): _l("language of instruction differs"),
    ("reason", "timetable_conflict"): _l("timetable conflict"),
    ("reason", "substitutes_deleted"): _l("substitutes a deleted component"),
    ("reason", "extending_mobility"): _l("mobility extended"),
    ("reason", "adding_virtual"): _l("virtual component added"),
    ("reason", "other"): _l("other"),
    ("role", "legal_representative"): _l("legal representative"),
    ("role", "institutional_coordinator"): _l("institutional coordinator"),
    ("role", "departmental_coordinator"): _l("departmental coordinator"),
    ("role", "international_office"): _l("international office"),
    ("role", "contact"): _l("contact person"),
    ("type", "ka131"): _l("KA131 inter-institutional agreement"),
    ("type", "ka171"): _l("KA171 international credit mobility"),
    ("type", "ka103"): _l("KA103 (2014-2020)"), ("type", "ka107"): _l("KA107 (2014-2020)"),
    ("type", "mou"): _l("memorandum of understanding"),
    ("type", "framework"): _l("framework agreement"),
    ("type", "eea"): _l("EEA and Norway grants (SEE)"),
    ("type", "semp"): _l("Swiss-European Mobility Programme (SEMP)"),
    ("status", "new"): _l("new"), ("status", "amended"): _l("amended"),
    ("status", "active"): _l("active"), ("status", "expired"): _l("expired"),
}

# The messages of docgen.domain.validation, marked for the catalog (a test keeps the two
# lists the same).
MESSAGES = (
    _l("is required"), _l("is not a known field"), _l("must be text"),
    _l("must not be empty"), _l("must be at most {max_length} characters"),
    _l("has the wrong format"), _l("must be a whole number"), _l("must be a number"),
    _l("must be true or false"), _l("must be a date (YYYY-MM-DD)"),
    _l("must be a date without a time"), _l("must be a date and time (YYYY-MM-DDTHH:MM)"),
    _l("must be a list"), _l("must be an object"), _l("must be greater than {gt}"),
    _l("must be at least {ge}"), _l("must be less than {lt}"), _l("must be at most {le}"),
    _l("must have at least {min_length} item(s)"),
    _l("must have at most {max_length} item(s)"),
    _l("must have at most {decimal_places} decimals"), _l("must be one of {expected}"),
    _l("must not contain the control character {char}"),
    _l("must be a date between {low} and {high}"),
    # docgen.domain.reasons
    _l("must not be before start"),
    _l("is required for a teaching mobility (STA)"),
    _l("a certificate is issued on or after the last day"),
    _l("must be an Erasmus code such as 'RO TIMISOA01'"),
    _l("is not a valid Romanian CNP ({reason})"),
    _l("is not a valid IBAN ({reason})"),
    _l("is not a valid BIC/SWIFT code ({reason})"),
    _l("does not match the CNP, which says born on {born}"),
    _l("give both lat and lon"),
    _l("give city and country, or lat and lon"),
    _l("is required for a Visiting@UPT contract"),
    _l("is {place} but the host institution is in {host}"),
    _l("is required on a contract"),
    _l("at most 2 travel days with standard travel"),
    _l("must not be before the start"),
    _l("must carry its UTC offset"),
    _l("is not the day of the timestamp"),
    _l("is required on a learning agreement"),
    _l("must be an Erasmus+ project code such as 2022-1-RO01-KA131-HED-000054947"),
    _l("must be an academic year such as 2026-2027"),
    _l("must be between {low} and {high}"),
    _l("must be {listed}"),
    _l("must be {listed} ({source})"),
    _l("duplicate place id '{id}' (first at {first})"),
    _l("duplicate candidate id '{id}' (first at {first})"),
    _l("unknown place '{id}'"),
    _l("place '{id}' is already listed"),
    _l("unknown criteria set '{id}' (known: {known})"),
)

# The messages of a refused batch file (docgen.documents.xlsxguard.TABLE_MESSAGES), marked
# for the catalog (a test keeps the two lists the same).
TABLE_TEXTS = (
    _l("{member}: holds a DOCTYPE declaration, which a workbook never needs: "
       "save it again from Excel or LibreOffice"),
    _l("{member}: declares an XML entity, which a workbook never needs"),
    _l("{member}: refers to an external XML entity"),
    _l("row {row}: a sheet may use rows 1 to {last_row} (at most {rows} rows of data)"),
    _l("row {row}, column {column}: a sheet may have at most {columns} columns"),
    _l("row {row}, column {column}: more than {cells} cells"),
    _l("more than {cells} shared strings"),
    _l("row {row}, column {column}: a cell may hold at most {chars} characters"),
    _l("shared string {index}: a cell may hold at most {chars} characters"),
    _l("the workbook holds {count} files; at most {members} are accepted"),
    _l("{member} unpacks to more than {mb} MB: split the workbook"),
    _l("the workbook unpacks to more than {mb} MB: split it"),
    _l("{member} is compressed more than {ratio} to 1: not a workbook we read"),
    _l("{member} is not well-formed XML (line {line}, column {column})"),
    _l("{member} cannot be unpacked ({reason})"),
    _l("the header has {count} columns; at most {columns} are accepted"),
    _l("more than {rows} rows: split the batch"),
    _l("more than {rows} items: split the batch"),
    _l("row {row}: cannot be read ({reason}); a cell may hold at most {chars} characters"),
    _l("the JSON nests deeper than {depth} levels"),
    _l("not valid JSON: a number has more than {digits} digits"),
    _l("the workbook has no sheet"),
    _l("the first sheet is empty"),
    _l("not a readable XLSX workbook ({reason})"),
    _l("the first sheet cannot be read ({reason})"),
    _l("the file took longer than {seconds} s to read: split it"),
    _l("the file needs more memory than allowed: split it"),
    _l("the file cannot be read"),
)


def field_label(key: str, fallback: str) -> str:
    label = LABELS.get(key)
    return str(label) if label is not None else fallback


def enum_label(key: str, value: str) -> str:
    label = ENUMS.get((key, value))
    return str(label) if label is not None else value


# Issues found on returned forms, by code (docgen.forms.validate); the English detail the
# parser wrote is shown as is to English readers.
ISSUES = {
    "required": _l("this field is required and is empty"),
    "required_when": _l("required in this case, and empty"),
    "required_with": _l("must be filled in together with a related field"),
    "below_min": _l("the value is below the minimum"),
    "below_min_when": _l("the value is below the minimum for this case"),
    "above_max": _l("the value is above the maximum"),
    "too_long": _l("the text is too long"),
    "date_order": _l("this date comes before the date it must follow"),
    "days_in_period": _l("the number of days does not fit the period"),
    "sum_mismatch": _l("the total does not match the sum of its parts"),
    "invalid_date": _l("not a valid date"),
    "not_integer": _l("not a whole number"),
    "not_number": _l("not a number"),
    "not_a_choice": _l("not one of the choices"),
    "invalid": _l("the value cannot be read"),
    "signature_invalid": _l("the digital signature is not valid"),
    "unknown_form": _l("the form is not recognised"),
    "version_mismatch": _l("an older or unknown version of the form"),
    "active_content": _l("the PDF holds scripts, actions or embedded files: do not open it "
                         "in a browser; check where it came from"),
    # Scans (docgen.forms.scan).
    "low_confidence": _l("read from the scan with low confidence: compare it with the crop"),
    "letter_unsure": _l("a scan cannot tell ş from ș nor ţ from ț: compare it with the crop"),
    "signature_missing": _l("no ink in the signature box"),
    "page_missing": _l("a page of the form is missing from the scan"),
    "unidentified": _l("no page carries a code of this instance"),
    "page_unidentified": _l("this page carries no readable page code: say which form it is"),
}


def issue_text(issue: dict, lang: str) -> str:
    """An issue of a record in the page's language."""
    label = ISSUES.get(issue.get("code", ""))
    if lang == "en" or label is None:
        return str(issue.get("message") or label or "")
    return str(label)
