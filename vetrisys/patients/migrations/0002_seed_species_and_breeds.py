"""Reference data every clinic starts with: common species and breeds, in Spanish and English."""

from django.db import migrations

SPECIES = [
    # code, Spanish, English
    ("dog", "Perro", "Dog"),
    ("cat", "Gato", "Cat"),
    ("rabbit", "Conejo", "Rabbit"),
    ("guinea_pig", "Cuy (cobayo)", "Guinea pig"),
    ("hamster", "Hámster", "Hamster"),
    ("bird", "Ave", "Bird"),
    ("ferret", "Hurón", "Ferret"),
    ("reptile", "Reptil", "Reptile"),
    ("horse", "Caballo", "Horse"),
    ("other", "Otro", "Other"),
]

BREEDS = {
    "dog": [
        ("Mestizo", "Mixed breed"),
        ("Perro sin pelo del Perú", "Peruvian Hairless Dog"),
        ("Labrador Retriever", "Labrador Retriever"),
        ("Golden Retriever", "Golden Retriever"),
        ("Pastor Alemán", "German Shepherd"),
        ("Schnauzer miniatura", "Miniature Schnauzer"),
        ("Shih Tzu", "Shih Tzu"),
        ("Caniche (Poodle)", "Poodle"),
        ("Yorkshire Terrier", "Yorkshire Terrier"),
        ("Chihuahua", "Chihuahua"),
        ("Pug", "Pug"),
        ("Bulldog Francés", "French Bulldog"),
        ("Beagle", "Beagle"),
        ("Cocker Spaniel", "Cocker Spaniel"),
        ("Rottweiler", "Rottweiler"),
        ("Boxer", "Boxer"),
        ("Salchicha (Dachshund)", "Dachshund"),
        ("Husky Siberiano", "Siberian Husky"),
        ("Pitbull", "American Pit Bull Terrier"),
    ],
    "cat": [
        ("Mestizo", "Mixed breed"),
        ("Siamés", "Siamese"),
        ("Persa", "Persian"),
        ("Angora Turco", "Turkish Angora"),
        ("Maine Coon", "Maine Coon"),
        ("Bengalí", "Bengal"),
        ("Británico de pelo corto", "British Shorthair"),
        ("Ragdoll", "Ragdoll"),
        ("Esfinge (Sphynx)", "Sphynx"),
    ],
    "rabbit": [("Mestizo", "Mixed breed"), ("Cabeza de león", "Lionhead"), ("Belier", "Lop")],
    "guinea_pig": [
        ("Criollo", "Native"),
        ("Peruano (Raza Perú)", "Peru breed"),
        ("Abisinio", "Abyssinian"),
    ],
    "horse": [("Caballo de Paso Peruano", "Peruvian Paso"), ("Mestizo", "Mixed breed")],
}


def seed(apps, schema_editor):
    Species = apps.get_model("patients", "Species")
    Breed = apps.get_model("patients", "Breed")
    for code, name_es, name_en in SPECIES:
        species, _created = Species.objects.update_or_create(
            organization=None, code=code, defaults={"name_es": name_es, "name_en": name_en}
        )
        for breed_es, breed_en in BREEDS.get(code, []):
            Breed.objects.update_or_create(
                organization=None, species=species, name_es=breed_es, defaults={"name_en": breed_en}
            )


class Migration(migrations.Migration):
    dependencies = [("patients", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
