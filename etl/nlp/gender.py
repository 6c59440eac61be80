"""Grammatical gender evidence shared by entity resolution and speaker resolution: honorific
and role words, common first names, and the gendered pronouns."""

from __future__ import annotations

import functools

import gender_guesser.detector

MALE, FEMALE = "m", "f"

MALE_PRONOUNS = frozenset({"he", "him", "his", "himself"})
FEMALE_PRONOUNS = frozenset({"she", "her", "hers", "herself"})


MALE_WORDS = frozenset(
    "mr mr. sir lord king prince father brother son husband spokesman congressman chairman businessman "
    "councilman anchorman boyfriend uncle nephew grandfather".split()
)
FEMALE_WORDS = frozenset(
    "mrs mrs. ms ms. miss madam dame lady queen princess mother sister daughter wife spokeswoman "
    "congresswoman chairwoman businesswoman councilwoman anchorwoman girlfriend aunt niece grandmother".split()
)
MALE_NAMES = frozenset(
    """aaron adam alan albert alex alexander andrew anthony antonio barack ben benjamin bernie bill bob bobby
    boris brad brian bruce carl carlos charles charlie chris christopher chuck dan daniel david dennis dick
    donald doug douglas ed edward eric francis frank fred gary george gerald greg gregory harry henry ian jack
    jacob james jared jason jeb jeff jeffrey jerry jim jimmy joe john johnny jon jonathan jose joseph josh juan
    keith ken kenneth kevin larry lawrence lee leon louis luis marco mark martin matt matthew michael mike
    mitch mitt nathan newt nicholas nick patrick paul peter phil philip ralph rand randy reince richard rick
    robert roger ron ronald roy rudy russell ryan sam samuel scott sean sergei sergey seth stephen steve steven
    ted terry thomas tim timothy todd tom tony vladimir walter wayne william willie xi ahmed mohammed muhammad
    hassan ali vince rex rodrigo recep benjamin bashar emmanuel francois pierre
    giuseppe hans wolfgang dmitry igor viktor ivan yuri nikolai omar tayyip
    abdul abdullah adrian ahmad akira alain alberto aleksandr alessandro alexei alfonso alfred amir anatoly
    andre andrei andres angelo anil antoine anton arnold arturo bernard bernardo bruno carlo cesar claude
    claus colin craig damien daniele darren dario davide derek dieter dmitri dominic duncan eduardo emilio
    enrique erik ernesto eugene fabio farid fernando filippo franco franz friedrich gabriel gareth gavin
    geoffrey gerhard gianni gilbert giorgio gordon graham guido guillermo gustavo hamid harold hector heinz
    helmut henri herbert horst ibrahim ignacio jacques jaime javier joachim joao johan jorge josef jurgen karl
    khalid klaus kofi kurt lars laurent leonid lionel luca luciano luigi lukas manfred manuel marc marcel
    marcelo marcus mauricio maurice maxim maksim michel miguel mihai mikael mikhail mohamed moshe mustafa
    nabil neil nicolas nigel oleg oliver olivier pablo paolo pascal patrice pavel pedro pieter rafael rainer
    ramon raul reinhard rene ricardo roberto rodney rolf rudolf salman salvatore sandro sebastian sergio
    shimon silvio simon stefan stefano sven tariq thierry tomas umberto uwe vaclav valentin vasily vincent
    vitaly werner wilhelm yasser yevgeny yitzhak youssef zbigniew lyndon dwight elmer floyd glenn herman
    howard jesse leonard marvin melvin murray sidney stuart travis vernon warren wesley will guy""".split()
)
FEMALE_NAMES = frozenset(
    """abigail alice alicia amanda amy andrea angela ann anna anne barbara betsy betty beverly brenda carly
    carol caroline carolyn catherine cathy charlotte cheryl christina christine claire cynthia dana debbie
    deborah debra diana diane donna dorothy elizabeth ellen emily emma evelyn frances gabrielle gloria grace
    hannah heather helen hillary hope huma ivanka jane janet janice jean jennifer jessica jill joan joanne judy
    julia julie karen kate katherine kathleen kathy katie kelly kellyanne kim kimberly kirsten laura lauren
    linda lisa lois loretta lori louise lynn madeleine margaret maria marie marilyn martha mary megan melania
    melissa michelle monica nancy natalie nicole nikki olivia pam pamela patricia paula rachel rebecca rose
    ruth samantha sandra sarah sharon shirley stephanie susan suzanne tammy teresa theresa tiffany tulsi
    valerie victoria virginia wendy angela theresa marine christiane ursula federica yulia irina natalia
    olga svetlana tatiana condoleezza
    adriana agnes alena alexandra alina amelia ana anastasia anita annette antonia astrid beatrice birgit
    brigitte camille cecile celine chantal christa clara claudia cristina daniela dolores edith elena
    eleanor elisabeth elsa esther eva francesca gabriela gisela greta heidi helga ingrid irene isabel
    isabella jacqueline jeanne joanna josephine juliana justine karin katarina katrin katja kristina larisa
    leah lena leila liliana lucia luisa magdalena manuela margarita marianne marta martina monique nadia
    nadezhda natalya nathalie nina paola patrizia pilar raquel renata rita roberta rosa sabine sandrine sara
    silvia simone sonia sophie stefanie susanne sylvie tanja tatyana ulrike vera veronica viktoria yekaterina
    yelena yolanda zoe beth bonnie carrie colleen connie denise doris eileen elaine erin geraldine gwen jenny
    joyce juanita kay kristen lorraine marcia marjorie maureen meryl molly nora norma peggy phyllis rhonda
    rosemary sheila sherry stacy toni vanessa vicki wanda yvonne sue joy""".split()
)


# first names common for men and women alike ("Lee Epstein" is a woman; Andrea is a man's name in
# Italy): the lists above give them one gender, too weak to overrule an honorific
UNISEX_NAMES = frozenset(
    "alex andrea ashley casey chris dana drew francis jackie jamie jean jessie jordan kelly kim lee leslie lynn "
    "marion morgan pat rene robin sam sandy stacy taylor terry toni tracy".split()
)


def name_gender(name: str) -> str | None:
    first = name.split()[0].lower().strip(".") if name.split() else ""
    if first in MALE_NAMES:
        return MALE
    if first in FEMALE_NAMES:
        return FEMALE
    return None


# words gender-guesser's dictionary holds as first names that open other names too: particles of
# places and organisations ("Al Qaeda", "El Paso", "Des Moines", "San Diego", "Los Angeles")
_NOT_FIRST_NAMES = frozenset("al el des de del la le los las san santa st saint van von di da du den der ben bin".split())


@functools.cache
def _dictionary() -> gender_guesser.detector.Detector:
    return gender_guesser.detector.Detector(case_sensitive=False)


def may_be_first_name(word: str) -> bool:
    """A first name of the lists above, or of gender-guesser's dictionary of some 45,000 first
    names from many countries ("Kiichi", "Hisham", "Malcolm"). Wider than ``name_gender`` and
    looser: the dictionary holds "Tea", "Long" and "Clinton" too, so this only reads a name
    already tagged a person's ("Kiichi Miyazawa" beside "Wilayat Twitter"), never makes one."""
    w = word.strip(".")
    if name_gender(w) is not None or w.casefold() in UNISEX_NAMES:
        return True
    if len(w) < 3 or not w[:1].isupper() or w.casefold() in _NOT_FIRST_NAMES:
        return False
    return _dictionary().get_gender(w) != "unknown"


def pronoun_gender(word: str) -> str | None:
    w = word.lower()
    if w in MALE_PRONOUNS:
        return MALE
    if w in FEMALE_PRONOUNS:
        return FEMALE
    return None
