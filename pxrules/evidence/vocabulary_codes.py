"""The codes themselves: for each closed field, every value the rules read, with its plain-English label."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pxrules.evidence.vocabulary import Vocabulary, code
from pxrules.evidence.vocabulary_surveys import BENCHMARK_MEASURES, QUESTION_KEYS, SURVEY_GROUPS

AGENDA_ITEMS = Vocabulary("board_meeting.agenda", "agenda item", {
    "strategy_progress": "Progress report on the patient experience strategy",
    "strategy_annual_review": "Annual review of the patient experience strategy",
    "engagement_report": "Report on patient and public engagement",
    "medical_director_px": "Patient experience item led by the medical director",
    "complaints_report": "Complaints report",
    "duty_of_candour_report": "Duty of Candour report",
    "celebration": "Celebration of staff achievements",
    "staff_recognition": "Staff recognition awards",
    "staffing_px_triangulation": "Safe staffing considered alongside patient feedback",
    "staff_survey_triangulation": "Quality report triangulated with the staff survey",
    "qi_board_development": "Board development on quality improvement and change",
})

DOC_TYPES = Vocabulary("document.doc_type", "document type", {
    "px_strategy": "Patient experience strategy",
    "quality_strategy": "Quality strategy",
    "delivery_plan": "Delivery plan for the strategy",
    "strategy_review": "Annual review of the strategy",
    "engagement_programme": "Patient and public engagement programme",
    "leadership_curriculum": "Leadership development curriculum",
    "appraisal_policy": "Appraisal policy or template",
    "qia_policy": "Quality impact assessment procedure",
    "od_strategy": "Organisational development strategy",
    "people_strategy": "People strategy",
    "staffing_escalation_policy": "Staffing escalation policy",
    "values_framework": "Trust values framework",
    "patient_information_policy": "Patient information policy",
    "pif_tick_certificate": "PIF TICK certificate",
    "complaints_policy": "Complaints policy",
    "duty_of_candour_policy": "Duty of Candour policy",
    "px_guidance_gap_analysis": "Gap analysis against patient experience guidance",
    "feedback_equality_analysis": "Analysis of who gives feedback",
    "integrated_px_report": "Integrated patient experience report",
    "px_dashboard": "Patient experience dashboard",
    "variation_analysis": "Analysis of variation in patient experience",
    "early_warning_procedure": "Early-warning procedure for experience data",
    "learning_bulletin": "Learning bulletin",
    "learning_event": "Learning or celebration event",
    "quality_account": "Quality account",
    "comms_strategy": "Communications strategy",
    "involvement_policy": "Patient involvement policy",
    "sdm_policy": "Shared decision making policy",
    "training_needs_analysis": "Training needs analysis",
    "learning_framework": "Organisation-wide learning framework",
    "business_case_template": "Business case and project initiation template",
    "well_led_review": "External well-led review",
    "cqc_report": "CQC inspection report",
})

DOCUMENT_CONTENTS = Vocabulary("document.contents", "content flag", {
    "patient_experience": "Covers patient experience",
    "px_equal_domain": "Patient experience an equal domain of quality",
    "qi_alignment": "Aligned with quality improvement",
    "delivery_plan": "Includes a delivery plan",
    "joint_with_commissioners": "Run jointly with local commissioners",
    "you_said_we_did": "Publishes what changed ('you said, we did')",
    "patient_feedback_all_staff": "Asks every staff group for patient feedback in appraisal",
    "patient_feedback_revalidation": "Asks revalidating doctors and nurses for patient feedback",
    "px_objectives": "Sets patient experience objectives",
    "nhs_constitution_values": "Reflects the values of the NHS Constitution",
    "board_lead": "Names a board-level lead",
    "patient_feedback": "Covers patient feedback",
    "quality_improvement": "Covers quality improvement skills",
    "complaints": "Covers complaints",
    "incidents": "Covers incidents",
    "mortality": "Covers deaths (mortality reviews)",
    "px_impact_assessment": "Has a patient experience impact section",
    "well_led_good_or_better": "Finds the trust well-led (good or better)",
    "free_text_themes": "Analyses free-text comments into themes",
    "free_text": "Shows patients' comments",
    "self_service": "Teams open it themselves (self-service)",
    "protected_characteristics": "Breaks results down by protected characteristic",
    "variation_reduced": "Shows the variation has narrowed",
    "trust_wide": "Held trust-wide",
    "px_data": "Reports patient experience results",
    "listening_responding": "Has a section on listening and responding to patients",
    "healthwatch_statement": "Includes Healthwatch's statement",
    "px.audiences": "Says with whom patient experience information is shared",
    "px.channels": "Says by which routes it is shared",
    "px.frequency": "Says how often it is shared",
    **{f"source.{s}": f"Draws on {w}" for s, w in (
        ("fft", "the Friends and Family Test"), ("complaints", "complaints"), ("pals", "PALS contacts"),
        ("npsp", "national patient surveys"), ("care_opinion", "Care Opinion"), ("healthwatch", "Healthwatch"),
        ("compliments", "compliments"))},
    **{f"refresh.{p}": f"Refreshed {p}" for p in ("daily", "weekly", "monthly", "quarterly")},
}, prefixes={"px_measure.": "Tracks a patient-experience-linked measure",
             "px_example.": "Gives an improvement with its result"})

CONTENT_FLAGS = Vocabulary("website_check.content_flags", "content flag", {
    "how_to_complain": "How to complain", "timescales": "Timescales for a response",
    "advocacy": "Independent advocacy", "pals_contact": "How to contact PALS",
    "phso": "The Parliamentary and Health Service Ombudsman",
    "easy_read": "Easy read version", "translation": "Translation", "bsl": "British Sign Language",
    "large_print": "Large print", "audio": "Audio version",
    "care_opinion": "Care Opinion", "online_form": "Online form", "sms": "Text message", "qr_code": "QR code",
    "kiosk": "Kiosk or tablet", "comment_cards": "Comment cards", "phone": "Telephone", "email": "Email",
    "fft": "Friends and Family Test", "healthwatch": "Healthwatch",
    "independent_patient_voice": "An independent patient voice (Healthwatch's successor)",
    "tested_with_patients": "Tested with patients", "user_tested_with_patients": "User-tested with patients",
    "reviewed_within_12m": "Reviewed within the last 12 months",
    "commitment_to_patients": "States the trust's commitment to patients",
    "patient_panel_rated": "Rated by a patient panel", "pif_tick": "Holds the PIF TICK",
    "complaints_annual_report": "Publishes the complaints annual report",
    "survey_results": "Publishes survey results", "coproduced": "Written or tested with patients",
}, prefixes={"latest.": "Latest results shown are for the month (YYYY-MM)"})

CHANNELS = Vocabulary("feedback_channel.channel", "feedback channel", {
    "fft_sms": "FFT by text message", "fft_digital": "FFT online or by app", "fft_paper": "FFT on paper",
    "paper_cards": "Comment cards", "kiosk": "Kiosk or tablet", "qr_code": "QR code", "online": "Online form",
    "care_opinion": "Care Opinion", "iwgc": "I Want Great Care", "nhs_website": "NHS website reviews",
    "social_media": "Social media", "paper_survey": "Paper survey",
    "pals": "PALS", "complaints_online": "Complaints online", "complaints_email": "Complaints by email",
    "complaints_phone": "Complaints by telephone", "complaints_post": "Complaints by post",
    "complaints_in_person": "Complaints in person", "complaints_advocate": "Complaints through an advocate",
    "easy_read": "Easy read survey", "bsl": "British Sign Language", "language_line": "Interpreting line",
    "patient_panel": "Patient panel or forum", "local_survey": "Local survey",
    "monthly_team_report": "Monthly team feedback report", "quarterly_team_report": "Quarterly team feedback report",
    "realtime_dashboard": "Real-time feedback dashboard",
})

COURSES = Vocabulary("training_record.course", "course", {
    "leadership_programme": "Leadership programme",
    "clinical_leadership_programme": "Clinical leadership programme",
    "customer_care": "Customer care", "complaints_handling": "Complaints handling",
    "local_resolution": "Resolving concerns locally", "duty_of_candour": "Duty of Candour",
    "px_induction": "Corporate induction (patient experience)", "shared_decision_making": "Shared decision making",
    "qi_foundation": "Quality improvement foundation", "qi_practitioner": "Quality improvement practitioner",
    "qi_board": "Quality improvement for the board",
})

POPULATIONS = Vocabulary("training_record.population", "staff group", {
    "all_staff": "All staff", "frontline": "Frontline staff", "patient_facing": "Patient-facing staff",
    "clinicians": "Clinicians", "managers": "Managers", "clinical_leaders": "Clinical leaders",
    "board": "Board members", "new_starters": "New starters",
})

PROCESSES = Vocabulary("staff_process.process", "audited process", {
    "leadership_visits": "Board visits to clinical areas",
    "appraisal_with_patient_feedback": "Appraisals using patient feedback",
    "recruitment_panel_patient_member": "Senior recruitment panels with a patient member",
    "clinical_px_leads": "Clinical divisions with a patient experience lead",
    "local_feedback_action": "Teams acting locally on patient feedback",
    "staff_recognition": "Staff recognition awards",
    "establishment_review": "Establishment reviews with staff input",
    "red_flag_response": "Staffing red flags answered within the shift",
    "rn_fill_rate": "Registered-nurse fill rate",
    "spiritual_care_cover": "Spiritual care cover",
    "values_document_audit": "Core documents stating the trust values",
    "values_based_recruitment": "Values-based recruitment",
    "values_based_appraisal": "Appraisals discussing the trust values",
    "patient_information_review": "Patient information reviewed by patients before publication",
    "patient_information_library": "Patient information within its review date",
    "letters_copied": "Clinic letters copied to patients",
    "ais_audit": "Communication needs recorded (Accessible Information Standard)",
    "ais_flag": "Accessible Information Standard flag in the record system",
    "alternative_format_requests": "Alternative-format requests met on time",
    "complaints_info_display": "Complaints and PALS information displayed",
    "feedback_info_display": "Information on how to give feedback displayed",
    "px_guidance_review": "Practice audited against best-practice guidance",
    "duty_of_candour_audit": "Duty of Candour: notified in person in time",
    "duty_of_candour_written": "Duty of Candour: followed up in writing",
    "duty_of_candour_feedback": "Families' feedback on candour",
    "team_feedback_discussion": "Teams discussing patient feedback",
    "px_theme_log": "Feedback themes with an owner and action",
    "px_theme_actions_closed": "Actions from feedback themes closed when due",
    "px_analyst_posts": "Dedicated patient experience analyst posts",
    "fft_comments_coded": "FFT comments coded into themes",
    "ward_accreditation": "Wards assessed with a triangulation tool",
    "px_data_review": "Monthly review of experience data",
    "spc_px_alerts": "Wards with SPC alert rules on experience data",
    "px_alert_response": "Early-warning alerts acted on within 30 days",
    "compliments_fed_back": "Compliments passed on to the staff named",
    "patient_safety_partners": "Safety committees with Patient Safety Partners",
    "sdm_audit": "Records showing shared decisions",
    "decision_aid_use": "Specialties using decision aids",
    "care_plan_discussion_audit": "Records showing the care plan discussed",
    "appraisal_feedback_qi_needs": "Appraisals setting a need on using feedback or QI",
    "divisional_learning_forums": "Divisions holding monthly learning forums",
    "ideas_scheme": "Staff ideas scheme",
})

VOCABULARIES: dict[str, Vocabulary] = {v.field: v for v in (
    AGENDA_ITEMS, DOC_TYPES, DOCUMENT_CONTENTS, CONTENT_FLAGS, CHANNELS, COURSES, POPULATIONS, PROCESSES,
    QUESTION_KEYS, SURVEY_GROUPS, BENCHMARK_MEASURES)}

# The field types (plain str to the type checker; validated against the vocabulary at run time).
if TYPE_CHECKING:
    AgendaItem = str
    DocType = str
    DocumentContent = str
    ContentFlag = str
    Channel = str
    Course = str
    Population = str
    Process = str
else:
    AgendaItem = code(AGENDA_ITEMS)
    DocType = code(DOC_TYPES)
    DocumentContent = code(DOCUMENT_CONTENTS)
    ContentFlag = code(CONTENT_FLAGS)
    Channel = code(CHANNELS)
    Course = code(COURSES)
    Population = code(POPULATIONS)
    Process = code(PROCESSES)
