"""Reference data every clinic starts with: common veterinary diagnoses with stable codes, in
Spanish and English, and a SOAP template for the usual kinds of visit."""

import re
import unicodedata

from django.db import migrations

TERMS = [
    # code, Spanish, English, category
    ("DX-DERM-001", "Dermatitis atópica", "Atopic dermatitis", "dermatology"),
    ("DX-DERM-002", "Dermatitis alérgica por pulgas", "Flea allergy dermatitis", "dermatology"),
    ("DX-DERM-003", "Pioderma superficial", "Superficial pyoderma", "dermatology"),
    ("DX-DERM-004", "Dermatofitosis (tiña)", "Dermatophytosis (ringworm)", "dermatology"),
    ("DX-DERM-005", "Sarna sarcóptica", "Sarcoptic mange", "dermatology"),
    ("DX-DERM-006", "Demodicosis", "Demodicosis", "dermatology"),
    ("DX-DERM-007", "Dermatitis húmeda aguda (hot spot)", "Acute moist dermatitis (hot spot)", "dermatology"),
    ("DX-DERM-008", "Absceso cutáneo", "Skin abscess", "dermatology"),
    ("DX-EAR-001", "Otitis externa", "Otitis externa", "ears"),
    ("DX-EAR-002", "Otitis media", "Otitis media", "ears"),
    ("DX-EAR-003", "Otohematoma", "Aural haematoma", "ears"),
    ("DX-EYE-001", "Conjuntivitis", "Conjunctivitis", "eyes"),
    ("DX-EYE-002", "Úlcera corneal", "Corneal ulcer", "eyes"),
    ("DX-EYE-003", "Queratoconjuntivitis seca", "Keratoconjunctivitis sicca (dry eye)", "eyes"),
    ("DX-EYE-004", "Catarata", "Cataract", "eyes"),
    ("DX-EYE-005", "Prolapso de la glándula del tercer párpado", "Cherry eye (third eyelid gland prolapse)", "eyes"),
    ("DX-GI-001", "Gastroenteritis aguda", "Acute gastroenteritis", "digestive"),
    ("DX-GI-002", "Indiscreción alimentaria", "Dietary indiscretion", "digestive"),
    ("DX-GI-003", "Parasitosis intestinal", "Intestinal parasitism", "digestive"),
    ("DX-GI-004", "Gastroenteritis por parvovirus", "Parvoviral enteritis", "digestive"),
    ("DX-GI-005", "Pancreatitis", "Pancreatitis", "digestive"),
    ("DX-GI-006", "Cuerpo extraño gastrointestinal", "Gastrointestinal foreign body", "digestive"),
    ("DX-GI-007", "Dilatación-vólvulo gástrico", "Gastric dilatation-volvulus", "digestive"),
    ("DX-GI-008", "Colitis", "Colitis", "digestive"),
    ("DX-GI-009", "Enfermedad inflamatoria intestinal", "Inflammatory bowel disease", "digestive"),
    ("DX-GI-010", "Estreñimiento", "Constipation", "digestive"),
    ("DX-GI-011", "Impactación de sacos anales", "Anal sac impaction", "digestive"),
    ("DX-DENT-001", "Enfermedad periodontal", "Periodontal disease", "dental"),
    ("DX-DENT-002", "Fractura dental", "Tooth fracture", "dental"),
    ("DX-DENT-003", "Gingivoestomatitis crónica felina", "Feline chronic gingivostomatitis", "dental"),
    ("DX-RESP-001", "Traqueobronquitis infecciosa canina (tos de las perreras)", "Canine infectious tracheobronchitis (kennel cough)", "respiratory"),
    ("DX-RESP-002", "Complejo respiratorio felino", "Feline upper respiratory complex", "respiratory"),
    ("DX-RESP-003", "Neumonía", "Pneumonia", "respiratory"),
    ("DX-RESP-004", "Asma felina", "Feline asthma", "respiratory"),
    ("DX-RESP-005", "Colapso traqueal", "Tracheal collapse", "respiratory"),
    ("DX-RESP-006", "Síndrome braquicefálico obstructivo", "Brachycephalic obstructive airway syndrome", "respiratory"),
    ("DX-CARD-001", "Enfermedad degenerativa de la válvula mitral", "Myxomatous mitral valve disease", "cardiology"),
    ("DX-CARD-002", "Cardiomiopatía dilatada", "Dilated cardiomyopathy", "cardiology"),
    ("DX-CARD-003", "Cardiomiopatía hipertrófica", "Hypertrophic cardiomyopathy", "cardiology"),
    ("DX-CARD-004", "Insuficiencia cardíaca congestiva", "Congestive heart failure", "cardiology"),
    ("DX-CARD-005", "Dirofilariosis", "Heartworm disease (dirofilariasis)", "cardiology"),
    ("DX-URO-001", "Infección del tracto urinario", "Urinary tract infection", "urology"),
    ("DX-URO-002", "Cistitis idiopática felina", "Feline idiopathic cystitis", "urology"),
    ("DX-URO-003", "Urolitiasis", "Urolithiasis", "urology"),
    ("DX-URO-004", "Obstrucción uretral", "Urethral obstruction", "urology"),
    ("DX-URO-005", "Enfermedad renal crónica", "Chronic kidney disease", "urology"),
    ("DX-URO-006", "Lesión renal aguda", "Acute kidney injury", "urology"),
    ("DX-ENDO-001", "Diabetes mellitus", "Diabetes mellitus", "endocrinology"),
    ("DX-ENDO-002", "Hipotiroidismo", "Hypothyroidism", "endocrinology"),
    ("DX-ENDO-003", "Hipertiroidismo", "Hyperthyroidism", "endocrinology"),
    ("DX-ENDO-004", "Hiperadrenocorticismo (Cushing)", "Hyperadrenocorticism (Cushing's)", "endocrinology"),
    ("DX-ENDO-005", "Hipoadrenocorticismo (Addison)", "Hypoadrenocorticism (Addison's)", "endocrinology"),
    ("DX-MSK-001", "Osteoartritis", "Osteoarthritis", "musculoskeletal"),
    ("DX-MSK-002", "Rotura del ligamento cruzado craneal", "Cranial cruciate ligament rupture", "musculoskeletal"),
    ("DX-MSK-003", "Luxación de rótula", "Patellar luxation", "musculoskeletal"),
    ("DX-MSK-004", "Displasia de cadera", "Hip dysplasia", "musculoskeletal"),
    ("DX-MSK-005", "Fractura", "Fracture", "musculoskeletal"),
    ("DX-MSK-006", "Enfermedad del disco intervertebral", "Intervertebral disc disease", "musculoskeletal"),
    ("DX-NEURO-001", "Epilepsia idiopática", "Idiopathic epilepsy", "neurology"),
    ("DX-NEURO-002", "Síndrome vestibular", "Vestibular syndrome", "neurology"),
    ("DX-REPRO-001", "Piometra", "Pyometra", "reproduction"),
    ("DX-REPRO-002", "Criptorquidismo", "Cryptorchidism", "reproduction"),
    ("DX-REPRO-003", "Seudogestación", "Pseudopregnancy", "reproduction"),
    ("DX-ONC-001", "Tumor mamario", "Mammary tumour", "oncology"),
    ("DX-ONC-002", "Lipoma", "Lipoma", "oncology"),
    ("DX-ONC-003", "Mastocitoma", "Mast cell tumour", "oncology"),
    ("DX-ONC-004", "Linfoma", "Lymphoma", "oncology"),
    ("DX-INF-001", "Moquillo canino", "Canine distemper", "infectious"),
    ("DX-INF-002", "Ehrlichiosis", "Ehrlichiosis", "infectious"),
    ("DX-INF-003", "Leptospirosis", "Leptospirosis", "infectious"),
    ("DX-INF-004", "Leucemia felina (FeLV)", "Feline leukaemia virus infection (FeLV)", "infectious"),
    ("DX-INF-005", "Inmunodeficiencia felina (FIV)", "Feline immunodeficiency virus infection (FIV)", "infectious"),
    ("DX-PARA-001", "Infestación por pulgas", "Flea infestation", "parasites"),
    ("DX-PARA-002", "Infestación por garrapatas", "Tick infestation", "parasites"),
    ("DX-PARA-003", "Giardiasis", "Giardiasis", "parasites"),
    ("DX-GEN-001", "Obesidad", "Obesity", "general"),
    ("DX-GEN-002", "Anemia", "Anaemia", "general"),
    ("DX-GEN-003", "Intoxicación", "Poisoning", "general"),
    ("DX-GEN-004", "Herida por mordedura", "Bite wound", "general"),
    ("DX-GEN-005", "Golpe de calor", "Heatstroke", "general"),
    ("DX-GEN-006", "Traumatismo por atropello", "Road traffic accident trauma", "general"),
    ("DX-GEN-007", "Animal sano (control)", "Healthy animal (wellness check)", "general"),
]

TEMPLATES = [
    # visit type, name, subjective, objective, assessment, plan (Spanish, the clinic's language)
    (
        "consultation",
        "Consulta general",
        "Motivo de consulta:\nDesde cuándo:\nApetito / agua:\nVómitos / diarrea:\nMedicación actual:",
        "Estado general:\nMucosas / TRC:\nHidratación:\nGanglios:\nAuscultación:\nPalpación abdominal:\nPiel y pelaje:",
        "Diagnóstico presuntivo:\nDiagnósticos diferenciales:",
        "Pruebas:\nTratamiento:\nIndicaciones al propietario:\nControl en:",
    ),
    (
        "vaccination",
        "Vacunación",
        "Estado general según el propietario:\nReacciones a vacunas previas:\nDesparasitación:",
        "Examen físico previo a la vacuna: sin hallazgos.\nTemperatura:",
        "Apto para vacunar.",
        "Vacuna aplicada:\nPróxima dosis:\nObservar 24 h por reacciones.",
    ),
    (
        "follow_up",
        "Control",
        "Evolución según el propietario:\nCumplimiento del tratamiento:",
        "Hallazgos del examen:",
        "Evolución: favorable / estable / desfavorable",
        "Continuar / ajustar tratamiento:\nPróximo control:",
    ),
    (
        "surgery",
        "Cirugía",
        "Procedimiento programado:\nAyuno: sí / no\nConsentimiento firmado: sí / no",
        "Examen preanestésico:\nASA:\nAnestesia y monitoreo:\nHallazgos quirúrgicos:",
        "Procedimiento realizado sin complicaciones.",
        "Analgesia:\nAntibiótico:\nCuidados de la herida y collar isabelino:\nRetiro de puntos en 10 días.",
    ),
    (
        "emergency",
        "Emergencia",
        "Qué pasó y cuándo:\nPosible tóxico o trauma:",
        "Triaje (ABC):\nEstado de conciencia:\nPulso / FC / FR:\nTemperatura:\nDolor:",
        "Estado: estable / crítico",
        "Estabilización:\nPruebas:\nHospitalización:\nPronóstico comunicado al propietario:",
    ),
    (
        "dental",
        "Profilaxis dental",
        "Halitosis / dificultad al comer:",
        "Grado de sarro:\nGingivitis:\nPiezas afectadas:",
        "Enfermedad periodontal grado:",
        "Profilaxis bajo anestesia:\nExtracciones:\nCepillado en casa:",
    ),
]


def _search(*parts):
    decomposed = unicodedata.normalize("NFKD", " ".join(parts))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", stripped.casefold()).strip()[:500]


def seed(apps, schema_editor):
    DiagnosisTerm = apps.get_model("records", "DiagnosisTerm")
    SoapTemplate = apps.get_model("records", "SoapTemplate")
    for code, name_es, name_en, category in TERMS:
        DiagnosisTerm.objects.get_or_create(
            organization=None,
            code=code,
            defaults={
                "name_es": name_es,
                "name_en": name_en,
                "category": category,
                "search_text": _search(code, name_es, name_en),
            },
        )
    for visit_type, name, subjective, objective, assessment, plan in TEMPLATES:
        SoapTemplate.objects.get_or_create(
            organization=None,
            visit_type=visit_type,
            name=name,
            defaults={
                "language": "es",
                "subjective": subjective,
                "objective": objective,
                "assessment": assessment,
                "plan": plan,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
